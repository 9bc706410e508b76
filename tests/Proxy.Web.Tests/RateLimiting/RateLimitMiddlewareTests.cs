namespace Proxy.Web.Tests.RateLimiting;

/// <summary>
/// The platform's buckets refill on the real clock, so these tests use rates slow enough (one token
/// per 100 s) that no refill can happen while they run: every count and header is exact.
/// </summary>
public sealed class RateLimitMiddlewareTests
{
    private static Task<TestProxy> Start(string rps = "0.01", string burst = "2", string? keys = null)
    {
        var env = new Dictionary<string, string?> { ["RATE_LIMIT_RPS"] = rps, ["RATE_LIMIT_BURST"] = burst };
        if (keys is not null)
        {
            env["PROXY_API_KEYS"] = keys;
        }

        return TestProxy.StartAsync(env);
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
        await using var proxy = await Start(rps: "0.01", burst: "2");

        using var first = await Get(proxy, "/v1/models");
        using var second = await Get(proxy, "/v1/models");

        Assert.Equal(("2", "1", "100"), Headers(first));
        Assert.Equal(("2", "0", "200"), Headers(second));
    }

    [Fact]
    public async Task Over_the_limit_is_429_rate_limit_error_with_retry_after()
    {
        await using var proxy = await Start(rps: "0.01", burst: "1");

        using var allowed = await Get(proxy, "/v1/models");
        using var refused = await Get(proxy, "/v1/models");

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var error = await Envelope.ReadAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal(new Envelope.Error("Rate limit exceeded: 0.01 requests per second with bursts of 1 per client. Retry after 100 s.", "rate_limit_error", null, "rate_limit_exceeded"), error);
        Assert.Equal(TimeSpan.FromSeconds(100), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(("1", "0", "100"), Headers(refused));
        Assert.NotNull(refused.Headers.GetValues("X-Request-ID").Single());
    }

    [Theory]
    [InlineData(10, 20, 10, 1.0)]
    [InlineData(1, 2, 1, 1.0)]
    [InlineData(0.5, 1, 1, 2.0)]
    [InlineData(2.5, 5, 3, 1.2)]
    [InlineData(0.01, 1, 1, 100.0)]
    public void A_rate_becomes_whole_tokens_per_period(double rps, int burst, int tokensPerPeriod, double periodSeconds)
    {
        var bucket = Proxy.Web.RateLimiting.ClientRateLimiter.BucketOptions(rps, burst);

        Assert.Equal((burst, tokensPerPeriod, 0), (bucket.TokenLimit, bucket.TokensPerPeriod, bucket.QueueLimit));
        Assert.Equal(periodSeconds, bucket.ReplenishmentPeriod.TotalSeconds, 9);
    }

    [Fact]
    public async Task Each_client_key_has_its_own_bucket()
    {
        await using var proxy = await Start(rps: "0.01", burst: "1", keys: "key-one-11111111,key-two-22222222");

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
        await using var proxy = await Start(rps: "0.01", burst: "1");

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
        await using var proxy = await Start(rps: "0", burst: "1");

        for (var i = 0; i < 5; i++)
        {
            using var response = await Get(proxy, "/v1/models");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        }
    }
}
