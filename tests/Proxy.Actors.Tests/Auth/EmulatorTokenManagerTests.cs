using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Proxy.Actors.Auth;
using Akka.Actor;
using Proxy.TestKit;
using Qwen.Emulator;

namespace Proxy.Actors.Tests.Auth;

/// <summary>Token managers against the Qwen emulator (rotating refresh tokens), expiry driven in virtual time.</summary>
public sealed class EmulatorTokenManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _time = new();
    private readonly TempQwenDir _dir = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly HttpClient _http = new();
    private readonly List<string> _secrets = [];
    private readonly ActorSystem _system;
    private EmulatorHost _emulator = null!;

    public EmulatorTokenManagerTests() => _system = ActorSystem.Create("emulator-auth", "akka.loglevel = WARNING");

    public async Task InitializeAsync() =>
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions { TimeProvider = _time, ResourceUrl = "http://127.0.0.1:{port}" });

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        if (await CreateStore().LoadAsync(CancellationToken.None) is { } last)
        {
            _secrets.Add(last.AccessToken);
            _secrets.Add(last.RefreshToken);
        }

        await _emulator.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();

        var logged = _logs.AllText;
        Assert.NotEmpty(logged);
        Assert.All(_secrets, secret => Assert.DoesNotContain(secret, logged));
    }

    [Fact]
    public async Task Thousand_concurrent_calls_with_an_expired_token_make_exactly_one_refresh()
    {
        await SeedAsync(TimeSpan.FromHours(1));
        var manager = await StartAsync();

        _time.Advance(TimeSpan.FromHours(2));
        var calls = Enumerable.Range(0, 1000).Select(_ => manager.GetTokenAsync(CancellationToken.None).AsTask()).ToArray();
        var tokens = await Task.WhenAll(calls).WaitAsync(Bound);

        Assert.Equal(1, _emulator.State.RefreshCount);
        var fresh = tokens[0].Value;
        Assert.All(tokens, t => Assert.Equal(fresh, t.Value));
        Remember(tokens[0]);
        Assert.Equal(new Uri(_emulator.BaseUrl, "v1").ToString(), tokens[0].ApiBase.ToString());
        using var chat = await ChatAsync(fresh);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Fact]
    public async Task Two_processes_sharing_one_qwen_dir_refresh_once_and_both_get_the_new_token()
    {
        await SeedAsync(TimeSpan.FromHours(1));
        using var otherProcess = ActorSystem.Create("other-process", "akka.loglevel = WARNING");
        var mine = await StartAsync();
        var theirs = await StartAsync(otherProcess);

        _time.Advance(TimeSpan.FromHours(2));
        var tokens = await Task.WhenAll(
            mine.GetTokenAsync(CancellationToken.None).AsTask(),
            theirs.GetTokenAsync(CancellationToken.None).AsTask()).WaitAsync(Bound);

        Assert.Equal(1, _emulator.State.RefreshCount);
        Assert.Equal(tokens[0].Value, tokens[1].Value);
        Remember(tokens[0]);
        Assert.Equal(AuthState.Valid, mine.Snapshot.State);
        Assert.Equal(AuthState.Valid, theirs.Snapshot.State);
        Assert.Equal(tokens[0].Value, (await CreateStore().LoadAsync(CancellationToken.None))!.AccessToken);
        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Unauthorized_mid_traffic_renews_once_for_every_caller_holding_the_rejected_token()
    {
        await SeedAsync(TimeSpan.FromHours(1));
        var manager = await StartAsync();
        var rejected = await manager.GetTokenAsync(CancellationToken.None);
        _emulator.State.ExpireAccessTokens();
        using (var refused = await ChatAsync(rejected.Value))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var renewed = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(_ => manager.RenewAfterUnauthorizedAsync(rejected, CancellationToken.None).AsTask())).WaitAsync(Bound);

        Assert.Equal(1, _emulator.State.RefreshCount);
        Assert.All(renewed, t => Assert.Equal(renewed[0].Value, t.Value));
        Assert.NotEqual(rejected.Value, renewed[0].Value);
        Remember(renewed[0]);
        using (var accepted = await ChatAsync(renewed[0].Value))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var late = await manager.RenewAfterUnauthorizedAsync(rejected, CancellationToken.None);
        Assert.Equal(renewed[0].Value, late.Value);
        Assert.Equal(1, _emulator.State.RefreshCount);
    }

    [Fact]
    public async Task Revoked_refresh_token_makes_the_credential_dead_and_stops_refreshing()
    {
        await SeedAsync(TimeSpan.FromHours(1));
        var manager = await StartAsync();
        _emulator.State.RevokeRefreshTokens();

        _time.Advance(TimeSpan.FromHours(2));
        await Assert.ThrowsAsync<AuthRequiredException>(() => manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound));
        await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);

        var calls = Enumerable.Range(0, 100).Select(_ => manager.GetTokenAsync(CancellationToken.None)).ToArray();
        Assert.All(calls, c => Assert.True(c.IsFaulted));
        _time.Advance(TimeSpan.FromHours(1));
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(1, _emulator.State.RefreshCount);
        Assert.Equal(AuthState.Dead, manager.Snapshot.State);
        Assert.False(manager.Snapshot.IsUsable);
    }

    [Fact]
    public async Task Refresh_without_a_new_refresh_token_keeps_using_the_old_one()
    {
        await _emulator.DisposeAsync();
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions
        {
            TimeProvider = _time,
            ResourceUrl = "http://127.0.0.1:{port}",
            OmitRefreshTokenOnRefresh = true,
        });
        var seeded = await SeedAsync(TimeSpan.FromHours(1));
        var manager = await StartAsync();

        _time.Advance(TimeSpan.FromHours(2));
        var first = await manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound);
        _time.Advance(TimeSpan.FromHours(2));
        var second = await manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound);

        Assert.Equal(2, _emulator.State.RefreshCount);
        Assert.NotEqual(first.Value, second.Value);
        Remember(first);
        var stored = await CreateStore().LoadAsync(CancellationToken.None);
        Assert.Equal(seeded.RefreshToken, stored!.RefreshToken);
        Assert.Equal(second.Value, stored.AccessToken);
    }

    private void Remember(AccessToken token) => _secrets.Add(token.Value);

    private FileCredentialStore CreateStore() =>
        new(_dir.Folder, TimeProvider.System, _logs.CreateLogger<FileCredentialStore>());

    private async Task<QwenCredentials> SeedAsync(TimeSpan lifetime)
    {
        var issued = _emulator.State.IssueToken(lifetime);
        _secrets.Add(issued.AccessToken);
        _secrets.Add(issued.RefreshToken);
        var credentials = new QwenCredentials(issued.AccessToken, issued.RefreshToken, "Bearer", issued.ResourceUrl, issued.ExpiresAt);
        await CreateStore().SaveAsync(credentials, CancellationToken.None);
        return credentials;
    }

    private async Task<TokenManager> StartAsync(ActorSystem? system = null)
    {
        var options = new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = _emulator.BaseUrl };
        var client = new DeviceFlowClient(_http, _emulator.BaseUrl, _time, _logs.CreateLogger<DeviceFlowClient>());
        var manager = TokenManager.Start(system ?? _system, _time, options, CreateStore(), client, _logs);
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);
        return manager;
    }

    private Task<HttpResponseMessage> ChatAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.BaseUrl, "v1/chat/completions"))
        {
            Content = new StringContent("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return _http.SendAsync(request);
    }
}
