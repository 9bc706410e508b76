using Microsoft.Extensions.DependencyInjection;

namespace Proxy.Web.Tests.RateLimiting;

public sealed class RateLimitMiddlewareTests
{
    private static Task<TestProxy> Start(ManualTimeProvider time, string rps = "1", string burst = "2", string? keys = null)
    {
        var env = new Dictionary<string, string?> { ["RATE_LIMIT_RPS"] = rps, ["RATE_LIMIT_BURST"] = burst };
        if (keys is not null)
        {
            env["PROXY_API_KEYS"] = keys;
        }

        return TestProxy.StartAsync(env, s => s.AddSingleton<TimeProvider>(time));
    }

    private static async Task<HttpResponseMessage> Get(TestProxy proxy, string path, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await proxy.Client.SendAsync(request);
    }

    private static (string Limit, string Remaining, string Reset) Headers(HttpResponseMessage response) =>
        (response.Headers.GetValues("X-RateLimit-Limit").Single(),
         response.Headers.GetValues("X-RateLimit-Remaining").Single(),
         response.Headers.GetValues("X-RateLimit-Reset").Single());

    [Fact]
    public async Task Responses_carry_limit_remaining_and_reset()
    {
        var time = new ManualTimeProvider();
        await using var proxy = await Start(time, rps: "1", burst: "2");

        using var first = await Get(proxy, "/v1/models");
        using var second = await Get(proxy, "/v1/models");

        Assert.Equal(("2", "1", "1"), Headers(first));
        Assert.Equal(("2", "0", "2"), Headers(second));
    }

    [Fact]
    public async Task Over_the_limit_is_429_rate_limit_error_with_retry_after()
    {
        var time = new ManualTimeProvider();
        await using var proxy = await Start(time, rps: "0.5", burst: "1");

        using var allowed = await Get(proxy, "/v1/models");
        using var refused = await Get(proxy, "/v1/models");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var error = await Envelope.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal(new Envelope.Error("Rate limit exceeded: 0.5 requests per second with bursts of 1 per client. Retry after 2 s.", "rate_limit_error", null, "rate_limit_exceeded"), error);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(("1", "0", "2"), Headers(refused));
        Assert.NotNull(refused.Headers.GetValues("X-Request-ID").Single());
    }

    [Fact]
    public async Task Waiting_out_retry_after_lets_the_client_in_again()
    {
        var time = new ManualTimeProvider();
        await using var proxy = await Start(time, rps: "1", burst: "1");
        using var first = await Get(proxy, "/v1/models");
        using var refused = await Get(proxy, "/v1/models");

        time.Advance(refused.Headers.RetryAfter!.Delta!.Value);
        using var again = await Get(proxy, "/v1/models");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Each_client_key_has_its_own_bucket()
    {
        var time = new ManualTimeProvider();
        await using var proxy = await Start(time, rps: "1", burst: "1", keys: "key-one-11111111,key-two-22222222");

        using var one = await Get(proxy, "/v1/models", "key-one-11111111");
        using var oneAgain = await Get(proxy, "/v1/models", "key-one-11111111");
        using var two = await Get(proxy, "/v1/models", "key-two-22222222");

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, oneAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    [InlineData("/health/detailed")]
    [InlineData("/metrics")]
    public async Task Health_and_metrics_are_never_limited(string path)
    {
        var time = new ManualTimeProvider();
        await using var proxy = await Start(time, rps: "1", burst: "1");

        for (var i = 0; i < 5; i++)
        {
            using var response = await Get(proxy, path);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        }
    }

    [Fact]
    public async Task Zero_turns_rate_limiting_off()
    {
        await using var proxy = await Start(new ManualTimeProvider(), rps: "0", burst: "1");

        for (var i = 0; i < 5; i++)
        {
            using var response = await Get(proxy, "/v1/models");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        }
    }
}
