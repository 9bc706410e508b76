using Proxy.Web.Configuration;
using Proxy.Web.Security;

namespace Proxy.Web.Tests.Security;

public sealed class ClientKeyTests
{
    private const string KeyA = "client-key-aaaa-1111";
    private const string KeyB = "client-key-bbbb-2222";

    private static Task<TestProxy> StartWithKeys() =>
        TestProxy.StartAsync(new Dictionary<string, string?> { ["PROXY_API_KEYS"] = KeyA + "," + KeyB });

    [Fact]
    public async Task Without_configured_keys_no_key_is_needed()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Missing_key_is_401_authentication_error_with_a_hint()
    {
        await using var proxy = await StartWithKeys();

        using var response = await proxy.Client.GetAsync("/v1/models");

        var error = await Envelope.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(new Envelope.Error("Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.", "authentication_error", null, "invalid_api_key"), error);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Wrong_key_is_401_and_is_never_logged_in_full()
    {
        await using var proxy = await StartWithKeys();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key-guess-9876");
        request.Headers.Add("X-Request-ID", "wrong-key");

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("Invalid API key.", error.Message);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("[wrong-key]") && l.Contains("client key"));
        Assert.Contains("presented …9876", line);
        Assert.DoesNotContain("wrong-key-guess", proxy.Log.Text);
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + KeyA)]
    [InlineData("Authorization", "bearer " + KeyB)]
    [InlineData("x-api-key", KeyB)]
    public async Task A_configured_key_passes_by_bearer_or_x_api_key(string header, string value)
    {
        await using var proxy = await StartWithKeys();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/health")]
    [InlineData("/metrics")]
    public async Task Probes_and_scrapers_need_no_key(string path)
    {
        await using var proxy = await StartWithKeys();

        using var response = await proxy.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Readiness_needs_no_key_but_detailed_health_does()
    {
        await using var proxy = await StartWithKeys();

        using var ready = await proxy.Client.GetAsync("/health/ready");
        using var detailed = await proxy.Client.GetAsync("/health/detailed");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, detailed.StatusCode);
    }

    [Fact]
    public void Keys_are_compared_by_hash_and_identified_without_revealing_them()
    {
        var keys = new ClientKeys(new ProxyOptions { ProxyApiKeys = [KeyA, KeyB] });

        var a = keys.Verify(KeyA);
        var b = keys.Verify(KeyB);

        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Matches("^key:[0-9a-f]{8}$", a.Id);
        Assert.NotEqual(a, b);
        Assert.Equal(a, keys.Verify(KeyA));
        Assert.Null(keys.Verify(KeyA + "x"));
        Assert.Null(keys.Verify(KeyA.AsSpan(0, KeyA.Length - 1)));
        Assert.Null(keys.Verify(string.Empty));
        Assert.DoesNotContain("aaaa", a.Id);
    }
}
