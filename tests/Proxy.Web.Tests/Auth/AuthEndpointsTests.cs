using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;
using Proxy.Web.Auth;
using Proxy.Web.Health;

using Proxy.TestKit;

namespace Proxy.Web.Tests.Auth;

public sealed class AuthEndpointsTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly SteppingTimeProvider _pollClock = new(DateTimeOffset.UtcNow);
    private readonly FakeOAuthServer _server = new();
    private readonly TempQwenDir _dir = new();
    private readonly CapturingLoggerProvider _logs = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = _server.BaseUrl });

        // Only the device flow runs on virtual time, so the test can step through its polls.
        builder.Services.AddSingleton(sp => new DeviceFlowClient(_server.CreateClient(), _server.BaseUrl, _pollClock, NullLogger<DeviceFlowClient>.Instance));
        _app = builder.Build();
        _app.MapAuthEndpoints();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _server.Dispose();
        _dir.Dispose();
        Assert.DoesNotContain("access-token-secret", _logs.AllText);
        Assert.DoesNotContain("refresh-token-secret", _logs.AllText);
        Assert.DoesNotContain("device-code-secret", _logs.AllText);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    public async Task Loading_the_auth_page_starts_no_login(string accept)
    {
        using var response = await GetAsync("/auth", accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(_server.Requests);
        Assert.Equal(LoginPhase.Idle, _app.Services.GetRequiredService<LoginCoordinator>().Status.Phase);
        if (accept.StartsWith("text/html", StringComparison.Ordinal))
        {
            Assert.Contains("<button id=\"again\">Log in with Qwen</button>", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_started_login_shows_url_code_and_qr_as_json()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(deviceCode: "device-code-secret-1"));
        (await _client.PostAsync("/auth/login", null)).Dispose();

        using var response = await GetAsync("/auth", "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var login = json.RootElement.GetProperty("login");
        Assert.Equal("pending", login.GetProperty("status").GetString());
        Assert.Equal("ABCD-1234", login.GetProperty("user_code").GetString());
        Assert.Equal("https://chat.qwen.ai/authorize", login.GetProperty("verification_uri").GetString());
        Assert.Equal("https://chat.qwen.ai/authorize?user_code=ABCD-1234", login.GetProperty("verification_uri_complete").GetString());
        Assert.StartsWith("data:image/svg+xml;base64,", login.GetProperty("qr_code").GetString());
        var account = json.RootElement.GetProperty("account");
        Assert.Equal("no_credential", account.GetProperty("state").GetString());
        Assert.False(account.GetProperty("usable").GetBoolean());
        Assert.DoesNotContain("device-code-secret", json.RootElement.GetRawText());
        Assert.Single(_server.Requests, r => r.Path == "/api/v1/oauth2/device/code");
    }

    [Fact]
    public async Task Auth_page_for_a_browser_with_a_started_login_is_html_with_link_code_qr_and_status_polling()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(userCode: "<b>XY</b>"));
        (await _client.PostAsync("/auth/login", null)).Dispose();

        using var response = await GetAsync("/auth", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");

        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<code>&lt;b&gt;XY&lt;/b&gt;</code>", html);
        Assert.DoesNotContain("<b>XY</b>", html);
        Assert.Contains("<svg", html);
        Assert.Contains("fetch('/auth/status'", html);
        Assert.Contains("href=\"https://chat.qwen.ai/authorize?user_code=%3Cb%3EXY%3C/b%3E\"", html);
    }

    [Fact]
    public async Task Second_start_while_a_login_is_pending_returns_the_same_login()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson());

        var starts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _client.PostAsync("/auth/login", null)));
        using var page = await GetAsync("/auth", "application/json");

        foreach (var start in starts)
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            using var json = JsonDocument.Parse(await start.Content.ReadAsStringAsync());
            Assert.Equal("ABCD-1234", json.RootElement.GetProperty("login").GetProperty("user_code").GetString());
            start.Dispose();
        }

        Assert.Single(_server.Requests, r => r.Path == "/api/v1/oauth2/device/code");
    }

    [Fact]
    public async Task Approved_login_saves_the_credential_and_the_token_manager_uses_it()
    {
        _server
            .Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson())
            .Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""")
            .Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-token-secret-1", "refresh-token-secret-1"));
        var tokens = _app.Services.GetRequiredService<ITokenSource>();
        await Assert.ThrowsAsync<AuthRequiredException>(() => tokens.GetTokenAsync(CancellationToken.None).AsTask());

        using (var start = await _client.PostAsync("/auth/login", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        }

        await CompleteLoginAsync();
        using var status = await GetAsync("/auth/status", "application/json");
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync());

        Assert.Equal("approved", json.RootElement.GetProperty("login").GetProperty("status").GetString());
        Assert.Equal("valid", json.RootElement.GetProperty("account").GetProperty("state").GetString());
        Assert.Equal("https://portal.qwen.ai/v1", json.RootElement.GetProperty("account").GetProperty("api_base").GetString());
        Assert.DoesNotContain("secret", json.RootElement.GetRawText());
        Assert.Equal("access-token-secret-1", (await tokens.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Contains("\"access_token\": \"access-token-secret-1\"", await File.ReadAllTextAsync(_dir.CredentialFile));
        Assert.True(_app.Services.GetRequiredService<IReadinessProbe>().Check().IsReady);
        Assert.Equal("valid", Assert.Single(_app.Services.GetRequiredService<IAccountStatusProvider>().GetAccounts()).AuthState);
    }

    [Fact]
    public async Task Denied_login_is_reported_and_a_new_start_asks_for_a_new_code()
    {
        _server
            .Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(userCode: "FIRST-1"))
            .Reply(HttpStatusCode.BadRequest, """{"error":"access_denied"}""")
            .Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(userCode: "SECOND-2"));

        (await _client.PostAsync("/auth/login", null)).Dispose();
        await CompleteLoginAsync();
        using var status = await GetAsync("/auth/status", "application/json");
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
        Assert.Equal("denied", json.RootElement.GetProperty("login").GetProperty("status").GetString());
        Assert.Equal("The login was denied. Start a new one to retry.", json.RootElement.GetProperty("login").GetProperty("message").GetString());

        using var again = await _client.PostAsync("/auth/login", null);
        using var second = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal("SECOND-2", second.RootElement.GetProperty("login").GetProperty("user_code").GetString());
        Assert.Equal(2, _server.Requests.Count(r => r.Path == "/api/v1/oauth2/device/code"));
    }

    [Fact]
    public async Task Login_that_cannot_reach_the_oauth_server_answers_502_in_the_openai_envelope()
    {
        _server.FailNetwork();

        using var response = await _client.PostAsync("/auth/login", null);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("type").GetString());
        Assert.Equal("login_unavailable", error.GetProperty("code").GetString());
        Assert.Equal("Could not reach the Qwen OAuth server at oauth.test: Connection refused (oauth.test:443)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Status_of_a_server_that_never_started_a_login_is_idle_and_not_ready()
    {
        using var status = await GetAsync("/auth/status", "application/json");
        using var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync());

        Assert.Equal("idle", json.RootElement.GetProperty("login").GetProperty("status").GetString());
        Assert.Equal("no_credential", json.RootElement.GetProperty("account").GetProperty("state").GetString());
        Assert.Empty(_server.Requests);
        var readiness = _app.Services.GetRequiredService<IReadinessProbe>().Check();
        Assert.False(readiness.IsReady);
        Assert.Equal("account qwen: no credential; log in at /auth", readiness.Detail);
        Assert.Equal("login_required", Assert.Single(_app.Services.GetRequiredService<IAccountStatusProvider>().GetAccounts()).AuthState);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    public async Task A_login_start_from_another_sites_page_is_refused_and_reaches_no_oauth_server(string header, string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await _client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(
            new Envelope.Error("Refused: this request came from another site's page. Start a login from the proxy's own /auth page.", "invalid_request_error", null, "cross_site_request"),
            error);
        Assert.Empty(_server.Requests);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Origin", "http://localhost")]
    public async Task A_login_start_from_the_proxys_own_page_is_accepted(string header, string value)
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/auth/login");
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(_server.Requests, r => r.Path == "/api/v1/oauth2/device/code");
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return await _client.SendAsync(request);
    }

    /// <summary>Steps the device-flow clock through every poll wait until the background login ends.</summary>
    private async Task CompleteLoginAsync()
    {
        var completion = _app.Services.GetRequiredService<LoginCoordinator>().Completion;
        using var stop = new CancellationTokenSource();
        while (true)
        {
            var next = _pollClock.NextWaitAsync(stop.Token);
            if (await Task.WhenAny(completion, next).WaitAsync(Bound) == completion)
            {
                await stop.CancelAsync();
                await completion;
                return;
            }

            _pollClock.Advance(await next);
        }
    }
}
