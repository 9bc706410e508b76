using System.Net;
using Proxy.Actors.Upstream;

namespace Proxy.Actors.Tests.Upstream;

/// <summary>Qwen Code's identity goes to Qwen OAuth and Qwen's own hosts only; every other upstream meets the proxy as itself.</summary>
public sealed class UpstreamIdentityTests
{
    private static readonly UpstreamOptions Options = new() { ClientVersion = "0.1.0" };
    private static readonly byte[] Body = """{"model":"m","stream":false}"""u8.ToArray();

    private static async Task<IReadOnlyDictionary<string, string>> SentHeadersAsync(string apiBase, AccountHeaders? account = null)
    {
        var handler = new RecordingHandler().Answer(HttpStatusCode.OK, "{}");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey("sk-key-9876", apiBase));

        using var result = await client.CreateCall(Body, "chat/completions", tokens, "req-1", stream: false, account: account)(CancellationToken.None);

        return Assert.Single(handler.Requests).Headers;
    }

    [Theory]
    [InlineData("https://openrouter.ai/api/v1")]
    [InlineData("http://127.0.0.1:18080/v1")]
    [InlineData("https://api.example.com/v1")]
    public async Task Another_upstream_gets_the_proxys_own_user_agent_and_no_dashscope_headers(string apiBase)
    {
        var headers = await SentHeadersAsync(apiBase);

        Assert.Equal("qwen-proxy/0.1.0", headers["User-Agent"]);
        Assert.DoesNotContain(headers.Keys, k => k.StartsWith("X-DashScope", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("https://dashscope-intl.aliyuncs.com/compatible-mode/v1")]
    [InlineData("https://coding.dashscope.aliyuncs.com/v1")]
    [InlineData("https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1")]
    public async Task A_dashscope_host_gets_qwen_codes_identity_without_the_oauth_mark(string apiBase)
    {
        var headers = await SentHeadersAsync(apiBase);

        Assert.StartsWith("QwenCode/0.1.0 (", headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal(headers["User-Agent"], headers["X-DashScope-UserAgent"]);
        Assert.Equal("enable", headers["X-DashScope-CacheControl"]);
        Assert.False(headers.ContainsKey("X-DashScope-AuthType"));
    }

    [Fact]
    public async Task An_account_decides_the_identity_and_adds_its_headers_but_cannot_replace_the_proxys()
    {
        var account = new AccountHeaders(true, new Dictionary<string, string> { ["X-Title"] = "qwen-proxy", ["User-Agent"] = "evil", ["Authorization"] = "Bearer evil" });

        var headers = await SentHeadersAsync("http://127.0.0.1:18080/v1", account);

        Assert.StartsWith("QwenCode/0.1.0 (", headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal("qwen-proxy", headers["X-Title"]);
        Assert.Equal("Bearer sk-key-9876", headers["Authorization"]);
        Assert.Equal("req-1", headers["X-Request-ID"]);
    }

    [Fact]
    public async Task An_account_can_keep_qwen_codes_identity_from_a_dashscope_host()
    {
        var headers = await SentHeadersAsync("https://dashscope.aliyuncs.com/compatible-mode/v1", new AccountHeaders(false, new Dictionary<string, string>()));

        Assert.Equal("qwen-proxy/0.1.0", headers["User-Agent"]);
        Assert.False(headers.ContainsKey("X-DashScope-CacheControl"));
    }
}
