using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Proxy.Actors.Resilience;
using Proxy.Actors.Upstream;
using Qwen.Emulator;

namespace Proxy.Actors.Tests.Upstream;

/// <summary>The upstream client against the Qwen emulator on 127.0.0.1.</summary>
public sealed class UpstreamClientEmulatorTests : IClassFixture<EmulatorFixture>
{
    private const string ApiKey = EmulatorFixture.ApiKey;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"model":"qwen3-coder-plus","stream":true,"temperature":0,"parallel_tool_calls":false,"x_unknown":{"a":[1,2]},"messages":[{"role":"user","content":"Grüße 👋"}]}""");

    private readonly EmulatorHost _emulator;
    private readonly QwenUpstreamClient _client;

    public UpstreamClientEmulatorTests(EmulatorFixture fixture)
    {
        _emulator = fixture.Emulator;
        _client = fixture.Client;
        _emulator.State.Reset();
    }

    private Uri ApiBase => new(_emulator.BaseUrl, "/v1");

    [Fact]
    public async Task The_upstream_receives_exactly_the_expected_headers_and_identical_body_bytes()
    {
        var issued = _emulator.State.IssueToken();
        var tokens = new FakeTokenSource(new Proxy.Actors.Auth.AccessToken(issued.AccessToken, issued.ExpiresAt, ApiBase));

        using var result = await _client.CreateCall(Body, "chat/completions", tokens, new Dictionary<string, string> { ["X-Request-ID"] = "req-42" })(CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal("text/event-stream", result.Response!.Content.Headers.ContentType?.MediaType);
        var seen = await _emulator.State.WaitForRequestAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Body, seen.Body);
        Assert.Equal("/v1/chat/completions", seen.Path);
        var agent = $"QwenCode/0.1.0 ({(OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : "win32")}; {(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64")})";
        Assert.Equal("Bearer " + issued.AccessToken, seen.Headers["Authorization"]);
        Assert.Equal(agent, seen.Headers["User-Agent"]);
        Assert.Equal(agent, seen.Headers["X-DashScope-UserAgent"]);
        Assert.Equal("qwen-oauth", seen.Headers["X-DashScope-AuthType"]);
        Assert.Equal("enable", seen.Headers["X-DashScope-CacheControl"]);
        Assert.Equal("text/event-stream", seen.Headers["Accept"]);
        Assert.Equal("application/json", seen.Headers["Content-Type"]);
        Assert.Equal("req-42", seen.Headers["X-Request-ID"]);
        Assert.Equal(Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.Headers["Content-Length"]);
        Assert.Equal(
            ["Accept", "Authorization", "Content-Length", "Content-Type", "Host", "User-Agent", "X-DashScope-AuthType", "X-DashScope-CacheControl", "X-DashScope-UserAgent", "X-Request-ID"],
            seen.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray(),
            StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_api_key_call_is_not_marked_as_oauth()
    {
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, ApiBase.AbsoluteUri));

        using var result = await _client.CreateCall("""{"model":"qwen3-coder-plus","messages":[]}"""u8.ToArray(), "chat/completions", tokens, null)(CancellationToken.None);

        Assert.True(result.IsSuccess);
        var seen = await _emulator.State.WaitForRequestAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(seen.Headers.ContainsKey("X-DashScope-AuthType"));
        Assert.Equal("application/json", seen.Headers["Accept"]);
    }

    [Fact]
    public async Task A_401_renews_once_and_the_retry_with_the_new_token_succeeds()
    {
        var issued = _emulator.State.IssueToken();
        var stale = FakeTokenSource.OAuth("expired-token-0000", ApiBase.AbsoluteUri);
        var tokens = new FakeTokenSource(stale, new Proxy.Actors.Auth.AccessToken(issued.AccessToken, issued.ExpiresAt, ApiBase));

        using var result = await _client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal([stale], tokens.Renewed);
        Assert.Equal(2, _emulator.State.ChatRequestCount);
        Assert.Equal(["Bearer expired-token-0000", "Bearer " + issued.AccessToken], _emulator.State.Requests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task A_second_401_after_renewal_is_unauthorized_and_not_tried_again()
    {
        var tokens = new FakeTokenSource(FakeTokenSource.OAuth("expired-token-0000", ApiBase.AbsoluteUri), FakeTokenSource.OAuth("expired-token-1111", ApiBase.AbsoluteUri));

        using var result = await _client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.Equal(FailureKind.Unauthorized, result.Failure);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid access token or token expired", result.Message);
        Assert.Single(tokens.Renewed);
        Assert.Equal(2, _emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData("fault=400", 400, "emulated fault: 400 Bad Request")]
    [InlineData("fault=404", 404, "emulated fault: 404 Not Found")]
    [InlineData("fault=422", 422, "emulated fault: 422 Unprocessable Entity")]
    public async Task A_4xx_is_relayed_with_the_upstream_status_and_message(string scenario, int status, string message)
    {
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, ApiBase.AbsoluteUri));

        using var result = await _client.CreateCall(Body, "chat/completions", tokens, Scenario(scenario))(CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal(status, result.StatusCode);
        Assert.Equal(status, result.Failure.ToStatusCode(result.StatusCode));
        Assert.Equal(message, result.Message);
        Assert.Equal("emulated_fault", result.Code);
    }

    [Fact]
    public async Task A_body_the_upstream_cannot_parse_is_relayed_as_its_400()
    {
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, ApiBase.AbsoluteUri));

        using var result = await _client.CreateCall("{not json"u8.ToArray(), "chat/completions", tokens, null)(CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal("The request body is not valid JSON.", result.Message);
    }

    [Theory]
    [InlineData("fault=503", FailureKind.UpstreamServerError, 503)]
    [InlineData("fault=500", FailureKind.UpstreamServerError, 500)]
    [InlineData("fault=429", FailureKind.RateLimited, 429)]
    [InlineData("fault=429_quota", FailureKind.QuotaExhausted, 429)]
    [InlineData("fault=403_quota", FailureKind.QuotaExhausted, 403)]
    [InlineData("fault=reset_before", FailureKind.UpstreamUnreachable, 0)]
    public async Task Emulated_faults_are_classified(string scenario, FailureKind kind, int status)
    {
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, ApiBase.AbsoluteUri));

        using var result = await _client.CreateCall(Body, "chat/completions", tokens, Scenario(scenario))(CancellationToken.None);

        Assert.Equal(kind, result.Failure);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public async Task Quota_429_cools_the_account_refuses_at_once_and_clears_by_itself()
    {
        var time = new FakeTimeProvider();
        var cooldown = new AccountCooldown("default", time, new CooldownOptions { DefaultCooldown = TimeSpan.FromMinutes(15) });
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, ApiBase.AbsoluteUri));

        using var quota = await cooldown.Guard(_client.CreateCall(Body, "chat/completions", tokens, Scenario("fault=429_quota")))(CancellationToken.None);
        Assert.Equal(FailureKind.QuotaExhausted, quota.Failure);
        Assert.Equal("Free allocated quota exceeded.", quota.Message);

        time.Advance(TimeSpan.FromMinutes(10));
        var call = cooldown.Guard(_client.CreateCall(Body, "chat/completions", tokens, null));
        using var refused = await call(CancellationToken.None);
        Assert.Equal(FailureKind.QuotaExhausted, refused.Failure);
        Assert.Equal(429, refused.Failure.ToStatusCode());
        Assert.Equal("insufficient_quota", refused.Code);
        Assert.Equal(TimeSpan.FromMinutes(5), refused.RetryAfter);
        Assert.Equal(1, _emulator.State.ChatRequestCount);

        time.Advance(TimeSpan.FromMinutes(5));
        using var cleared = await call(CancellationToken.None);
        Assert.True(cleared.IsSuccess);
        Assert.Equal(2, _emulator.State.ChatRequestCount);
    }

    private static Dictionary<string, string> Scenario(string scenario) => new() { ["X-Emulator-Scenario"] = scenario };
}

/// <summary>One emulator and client for a test class; each test starts from <see cref="EmulatorState.Reset"/>.</summary>
public sealed class EmulatorFixture : IAsyncLifetime, IDisposable
{
    public const string ApiKey = "sk-emulator-key-5678";

    public EmulatorHost Emulator { get; private set; } = null!;

    internal QwenUpstreamClient Client { get; } = new(new UpstreamOptions { ClientVersion = "0.1.0" });

    public async Task InitializeAsync()
    {
        var options = new EmulatorOptions();
        options.ApiKeys.Add(ApiKey);
        Emulator = await EmulatorHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    public void Dispose() => Client.Dispose();
}
