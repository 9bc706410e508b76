using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;
using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

/// <summary>The auth services inside the real proxy host: readiness, account status and requests without a credential.</summary>
public sealed class ProxyHostAuthTests : IDisposable
{
    private readonly TempQwenDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Without_a_credential_the_proxy_is_not_ready_and_requests_get_503_auth_required()
    {
        await using var proxy = await StartAsync();

        using var ready = await proxy.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("account qwen: no credential; log in at /auth", await ready.Content.ReadAsStringAsync());

        using var chat = await proxy.Client.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
        using var json = JsonDocument.Parse(await chat.Content.ReadAsStringAsync());
        Assert.Equal("auth_required", json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("/auth", json.RootElement.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task With_a_stored_credential_the_proxy_is_ready_and_shows_the_account()
    {
        var store = new FileCredentialStore(_dir.Folder, TimeProvider.System, NullLogger<FileCredentialStore>.Instance);
        await store.SaveAsync(new QwenCredentials("access-token-secret-1", "refresh-token-secret-1", "Bearer", "portal.qwen.ai", DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        await using var proxy = await StartAsync();

        using var ready = await proxy.Client.GetAsync("/health/ready");
        using var detailed = await proxy.Client.GetAsync("/health/detailed");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await detailed.Content.ReadAsStringAsync();
        Assert.Contains("\"auth_state\":\"valid\"", body);
        Assert.DoesNotContain("secret", body);
        Assert.DoesNotContain("secret", proxy.Log.Text);
    }

    private Task<TestProxy> StartAsync() =>
        TestProxy.StartAsync(
            new Dictionary<string, string?> { ["QWEN_DIR"] = _dir.Folder, ["QWEN_OAUTH_BASE_URL"] = "http://127.0.0.1:9" },
            services => services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = new Uri("http://127.0.0.1:9") }));
}
