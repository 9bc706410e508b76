namespace Proxy.Web.Tests.Security;

public sealed class TrustedProxiesTests
{
    private static async Task<string> ClientIpLogged(TestProxy proxy, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Request-ID", requestId);
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.9");
        using var response = await proxy.Client.SendAsync(request);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains($"[{requestId}] Serilog.AspNetCore.RequestLoggingMiddleware"));
        var start = line.IndexOf("client=", StringComparison.Ordinal) + 7;
        return line[start..line.IndexOf(' ', start)];
    }

    [Fact]
    public async Task Nobody_is_trusted_by_default_not_even_loopback()
    {
        await using var proxy = await TestProxy.StartAsync();

        Assert.Equal("127.0.0.1", await ClientIpLogged(proxy, "xff-default"));
    }

    [Fact]
    public async Task A_trusted_peer_is_believed_for_one_untrusted_hop()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = "127.0.0.0/8" });

        Assert.Equal("203.0.113.9", await ClientIpLogged(proxy, "xff-trusted"));
    }

    [Fact]
    public async Task A_chain_of_trusted_hops_is_walked_to_the_first_untrusted_address()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = "127.0.0.1,203.0.113.0/24" });

        Assert.Equal("198.51.100.1", await ClientIpLogged(proxy, "xff-chain"));
    }
}
