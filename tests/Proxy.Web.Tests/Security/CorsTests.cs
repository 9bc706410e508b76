namespace Proxy.Web.Tests.Security;

public sealed class CorsTests
{
    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [Fact]
    public async Task By_default_no_origin_is_allowed()
    {
        await using var proxy = await TestProxy.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await proxy.Client.SendAsync(request);
        using var preflight = await proxy.Client.SendAsync(Preflight("https://evil.example"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_configured_origin_is_allowed_and_others_are_not()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["CORS_ORIGINS"] = "https://app.example.com",
            ["PROXY_API_KEYS"] = "some-client-key-1234",
        });

        using var allowed = await proxy.Client.SendAsync(Preflight("https://app.example.com"));
        using var denied = await proxy.Client.SendAsync(Preflight("https://evil.example"));

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
