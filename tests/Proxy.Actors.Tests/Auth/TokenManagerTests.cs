using System.Net;
using Microsoft.Extensions.Time.Testing;
using Proxy.Actors.Auth;
using Proxy.Actors.Cluster;
using Akka.Actor;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

public sealed class TokenManagerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _time = new();
    private readonly TempQwenDir _dir = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly FakeTokenEndpoint _endpoint = new();
    private readonly ActorSystem _system;

    public TokenManagerTests() => _system = ActorSystem.Create("auth-test", "akka.loglevel = WARNING");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        _endpoint.Dispose();
        _dir.Dispose();
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task Fresh_token_is_served_from_the_published_snapshot_without_the_actor()
    {
        var credentials = _endpoint.Login(_time, TimeSpan.FromHours(1));
        await SeedAsync(credentials);
        var manager = await StartAsync();

        await _system.Terminate();
        var token = await manager.GetTokenAsync(CancellationToken.None);

        Assert.Equal(credentials.AccessToken, token.Value);
        Assert.Equal(credentials.ExpiresAt, token.ExpiresAt);
        Assert.Equal("https://portal.qwen.ai/v1", token.ApiBase.ToString());
        Assert.Equal(0, _endpoint.RefreshCount);
    }

    [Fact]
    public async Task Thousand_concurrent_calls_with_an_expired_token_share_exactly_one_refresh()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Hold = release.Task;

        _time.Advance(TimeSpan.FromHours(2));
        var calls = Enumerable.Range(0, 1000).Select(_ => manager.GetTokenAsync(CancellationToken.None).AsTask()).ToArray();
        await _endpoint.FirstRefreshArrived.WaitAsync(Bound);
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        release.SetResult();
        var tokens = await Task.WhenAll(calls).WaitAsync(Bound);

        Assert.Equal(1, _endpoint.RefreshCount);
        Assert.All(tokens, t => Assert.Equal(_endpoint.LastAccessToken, t.Value));
        Assert.Equal(_time.GetUtcNow().AddHours(1), tokens[0].ExpiresAt);
        var snapshot = manager.Snapshot;
        Assert.Equal(AuthState.Valid, snapshot.State);
        Assert.Equal(1, snapshot.RefreshCount);
        Assert.Equal(_time.GetUtcNow(), snapshot.LastRefreshAt);
    }

    [Fact]
    public async Task Token_is_refreshed_on_a_timer_ahead_of_expiry_by_the_refresh_buffer()
    {
        var credentials = _endpoint.Login(_time, TimeSpan.FromHours(1));
        await SeedAsync(credentials);
        var manager = await StartAsync();

        _time.Advance(TimeSpan.FromMinutes(54));
        Assert.Equal(0, _endpoint.RefreshCount);
        Assert.Equal(credentials.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);

        _time.Advance(TimeSpan.FromMinutes(1));
        await manager.WaitForAsync(s => s.RefreshCount == 1, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(1, _endpoint.RefreshCount);
        Assert.Equal(_endpoint.LastAccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Equal(_time.GetUtcNow().AddHours(1), manager.Snapshot.ExpiresAt);
    }

    [Fact]
    public async Task Many_renewals_of_the_same_rejected_token_refresh_once_and_a_stale_one_gets_the_current_token()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        var rejected = await manager.GetTokenAsync(CancellationToken.None);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Hold = release.Task;

        var renewals = Enumerable.Range(0, 50).Select(_ => manager.RenewAfterUnauthorizedAsync(rejected, CancellationToken.None).AsTask()).ToArray();
        await _endpoint.FirstRefreshArrived.WaitAsync(Bound);
        release.SetResult();
        var renewed = await Task.WhenAll(renewals).WaitAsync(Bound);

        Assert.Equal(1, _endpoint.RefreshCount);
        Assert.All(renewed, t => Assert.Equal(_endpoint.LastAccessToken, t.Value));
        Assert.NotEqual(rejected.Value, renewed[0].Value);

        var late = await manager.RenewAfterUnauthorizedAsync(rejected, CancellationToken.None);
        Assert.Equal(_endpoint.LastAccessToken, late.Value);
        Assert.Equal(1, _endpoint.RefreshCount);
    }

    [Fact]
    public async Task Dead_refresh_token_makes_the_credential_dead_without_a_retry_storm()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        _endpoint.RevokeRefreshTokens();

        _time.Advance(TimeSpan.FromHours(2));
        var call = manager.GetTokenAsync(CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<AuthRequiredException>(() => call.WaitAsync(Bound));
        var snapshot = await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);
        Assert.False(snapshot.IsUsable);
        Assert.Equal("The refresh token was rejected (HTTP 400 invalid_grant: refresh token expired or already used).", snapshot.LastError);

        for (var i = 0; i < 100; i++)
        {
            var again = manager.GetTokenAsync(CancellationToken.None);
            Assert.True(again.IsCompleted);
            var error = await Assert.ThrowsAsync<AuthRequiredException>(() => again.AsTask());
            Assert.Equal(
                "The Qwen credential was rejected (The refresh token was rejected (HTTP 400 invalid_grant: refresh token expired or already used).); a new login is required.",
                error.Message);
        }

        _time.Advance(TimeSpan.FromHours(3));
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(1, _endpoint.RefreshCount);
        Assert.Equal(AuthState.Dead, manager.Snapshot.State);
    }

    [Fact]
    public async Task New_login_revives_a_dead_credential()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        _endpoint.RevokeRefreshTokens();
        _time.Advance(TimeSpan.FromHours(2));
        await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);

        var login = _endpoint.Login(_time, TimeSpan.FromHours(1));
        var snapshot = await manager.AcceptLoginAsync(login, CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(AuthState.Valid, snapshot.State);
        Assert.Null(snapshot.LastError);
        Assert.Equal(login.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Equal(login, await CreateStore().LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Login_made_by_the_cli_revives_a_dead_credential_at_the_next_store_check()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        _endpoint.RevokeRefreshTokens();
        _time.Advance(TimeSpan.FromHours(2));
        await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);

        var login = _endpoint.Login(_time, TimeSpan.FromHours(1));
        await SeedAsync(login);
        _time.Advance(TimeSpan.FromSeconds(10));

        await manager.WaitForAsync(s => s.State == AuthState.Valid, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(login.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
    }

    [Fact]
    public async Task Network_failure_backs_off_fails_fast_meanwhile_and_retries()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        _endpoint.FailNextRefresh(() => throw new HttpRequestException("Connection refused"));

        _time.Advance(TimeSpan.FromHours(2));
        var failed = await manager.WaitForAsync(s => s.LastError is not null, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(AuthState.Valid, failed.State);
        Assert.Equal("Could not reach the Qwen OAuth server: Connection refused", failed.LastError);

        var error = await Assert.ThrowsAsync<TokenRefreshFailedException>(() => manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound));
        Assert.Equal(
            "The Qwen access token expired and could not be refreshed (Could not reach the Qwen OAuth server: Connection refused); retrying shortly.",
            error.Message);
        Assert.Equal(1, _endpoint.RefreshCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        await manager.WaitForAsync(s => s.RefreshCount == 1, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(2, _endpoint.RefreshCount);
        Assert.Equal(_endpoint.LastAccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Null(manager.Snapshot.LastError);
    }

    [Fact]
    public async Task Server_errors_back_off_doubling_and_stop_retrying_on_their_own_after_ten()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        for (var i = 0; i < 11; i++)
        {
            _endpoint.FailNextRefresh(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        _time.Advance(TimeSpan.FromHours(2));
        double[] delays = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        for (var i = 0; i < delays.Length; i++)
        {
            await WaitForRefreshCountAsync(manager, i + 1);
            _time.Advance(TimeSpan.FromSeconds(delays[i]) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 1, _endpoint.RefreshCount);
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        await WaitForRefreshCountAsync(manager, 11);
        _time.Advance(TimeSpan.FromMinutes(30));
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(11, _endpoint.RefreshCount);

        // Demand still gets a try once the last backoff has passed.
        var token = await manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound);
        Assert.Equal(_endpoint.LastAccessToken, token.Value);
        Assert.Equal(12, _endpoint.RefreshCount);
    }

    [Fact]
    public async Task Refresh_without_a_new_refresh_token_keeps_the_old_one_and_the_resource_url()
    {
        var credentials = _endpoint.Login(_time, TimeSpan.FromHours(1));
        await SeedAsync(credentials);
        var manager = await StartAsync();
        _endpoint.OmitRefreshToken = true;
        _endpoint.ResourceUrl = null;

        _time.Advance(TimeSpan.FromHours(2));
        await manager.WaitForAsync(s => s.RefreshCount == 1, CancellationToken.None).WaitAsync(Bound);

        var stored = await CreateStore().LoadAsync(CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(_endpoint.LastAccessToken, stored.AccessToken);
        Assert.Equal(credentials.RefreshToken, stored.RefreshToken);
        Assert.Equal("portal.qwen.ai", stored.ResourceUrl);
    }

    [Fact]
    public async Task Without_a_credential_calls_need_a_login_until_one_appears()
    {
        var manager = await StartAsync();
        Assert.Equal(AuthState.NoCredential, manager.Snapshot.State);

        var error = await Assert.ThrowsAsync<AuthRequiredException>(() => manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound));
        Assert.Equal($"No Qwen credential in {_dir.CredentialFile}; a login is required.", error.Message);

        var login = _endpoint.Login(_time, TimeSpan.FromHours(1));
        await SeedAsync(login);

        Assert.Equal(login.AccessToken, (await manager.GetTokenAsync(CancellationToken.None).AsTask().WaitAsync(Bound)).Value);
        Assert.Equal(AuthState.Valid, manager.Snapshot.State);
    }

    [Fact]
    public async Task Token_refreshed_by_another_process_is_taken_at_the_next_store_check()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();

        var theirs = _endpoint.Login(_time, TimeSpan.FromHours(2));
        await SeedAsync(theirs);
        _time.Advance(TimeSpan.FromSeconds(10));

        await manager.WaitForAsync(s => s.ExpiresAt == theirs.ExpiresAt, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(theirs.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Equal(0, _endpoint.RefreshCount);
    }

    [Fact]
    public async Task Credential_announced_by_the_store_is_taken_at_once_and_revives_a_dead_one()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var notifier = new FakeChangeNotifier();
        var manager = await StartAsync(notifier: notifier);

        var announced = _endpoint.Login(_time, TimeSpan.FromHours(2));
        notifier.Announce(announced);
        await manager.WaitForAsync(s => s.ExpiresAt == announced.ExpiresAt, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(announced.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);

        _endpoint.RevokeRefreshTokens();
        _time.Advance(TimeSpan.FromHours(3));
        await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);
        var login = _endpoint.Login(_time, TimeSpan.FromHours(1));
        notifier.Announce(login);

        await manager.WaitForAsync(s => s.State == AuthState.Valid, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(login.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);

        await _system.Terminate();
        Assert.Equal(0, notifier.Subscribers);
    }

    [Fact]
    public async Task Two_processes_sharing_one_folder_refresh_once_through_the_lock()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        using var otherSystem = ActorSystem.Create("other-process", "akka.loglevel = WARNING");
        var mine = await StartAsync();
        var theirs = await StartAsync(otherSystem);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Hold = release.Task;

        _time.Advance(TimeSpan.FromHours(2));
        var fromMine = mine.GetTokenAsync(CancellationToken.None).AsTask();
        var fromTheirs = theirs.GetTokenAsync(CancellationToken.None).AsTask();
        await _endpoint.FirstRefreshArrived.WaitAsync(Bound);
        await _logs.WaitForLineAsync("is held by another process").WaitAsync(Bound);
        release.SetResult();
        var tokens = await Task.WhenAll(fromMine, fromTheirs).WaitAsync(Bound);

        Assert.Equal(1, _endpoint.RefreshCount);
        Assert.Equal(_endpoint.LastAccessToken, tokens[0].Value);
        Assert.Equal(_endpoint.LastAccessToken, tokens[1].Value);
        Assert.Equal(1, mine.Snapshot.RefreshCount + theirs.Snapshot.RefreshCount);
        Assert.Contains("another process already refreshed", _logs.AllText);
        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Login_stored_while_a_refresh_runs_wins_over_the_refresh()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromHours(1)));
        var manager = await StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Hold = release.Task;
        _time.Advance(TimeSpan.FromHours(2));
        var waiting = manager.GetTokenAsync(CancellationToken.None).AsTask();
        await _endpoint.FirstRefreshArrived.WaitAsync(Bound);

        var login = _endpoint.Login(_time, TimeSpan.FromMinutes(30));
        await SeedAsync(login);
        var snapshot = await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(AuthState.Valid, snapshot.State);
        Assert.Equal(login.AccessToken, (await waiting.WaitAsync(Bound)).Value);
        release.SetResult();
        Assert.Equal(login.AccessToken, (await manager.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Equal(0, manager.Snapshot.RefreshCount);
    }

    [Fact]
    public async Task Snapshot_never_triggers_a_refresh()
    {
        await SeedAsync(_endpoint.Login(_time, TimeSpan.FromMinutes(1)) with { ExpiresAt = _time.GetUtcNow().AddHours(-1) });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _endpoint.Hold = release.Task;
        _endpoint.RevokeRefreshTokens();
        var manager = await StartAsync();

        // Loading an expired credential refreshes at once; reading the snapshot meanwhile does not add one.
        await _endpoint.FirstRefreshArrived.WaitAsync(Bound);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(AuthState.Refreshing, manager.Snapshot.State);
        }

        release.SetResult();
        await manager.WaitForAsync(s => s.State == AuthState.Dead, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(1, _endpoint.RefreshCount);
    }

    private void AssertNoSecretLogged()
    {
        var logged = _logs.AllText;
        Assert.NotEmpty(logged);
        foreach (var secret in _endpoint.IssuedSecrets)
        {
            Assert.DoesNotContain(secret, logged);
        }
    }

    private async Task WaitForRefreshCountAsync(TokenManager manager, int count)
    {
        await manager.WaitForAsync(s => s.State == AuthState.Valid && _endpoint.RefreshCount == count && s.LastError is not null, CancellationToken.None).WaitAsync(Bound);
    }

    private FileCredentialStore CreateStore() =>
        new(_dir.Folder, TimeProvider.System, _logs.CreateLogger<FileCredentialStore>());

    private async Task SeedAsync(QwenCredentials credentials) =>
        await CreateStore().SaveAsync(credentials, CancellationToken.None);

    private async Task<TokenManager> StartAsync(ActorSystem? system = null, ICredentialChangeNotifier? notifier = null)
    {
        var options = new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = _endpoint.BaseUrl };
        var client = new DeviceFlowClient(_endpoint.CreateClient(), _endpoint.BaseUrl, _time, _logs.CreateLogger<DeviceFlowClient>());
        var manager = TokenManager.Start(system ?? _system, _time, options, CreateStore(), client, _logs, notifier: notifier);
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);
        return manager;
    }

    private sealed class FakeChangeNotifier : ICredentialChangeNotifier
    {
        private readonly List<Action<QwenCredentials>> _subscribers = [];

        public int Subscribers
        {
            get
            {
                lock (_subscribers)
                {
                    return _subscribers.Count;
                }
            }
        }

        public IDisposable Subscribe(Action<QwenCredentials> onChanged)
        {
            lock (_subscribers)
            {
                _subscribers.Add(onChanged);
            }

            return new Unsubscriber(this, onChanged);
        }

        public void Announce(QwenCredentials credentials)
        {
            Action<QwenCredentials>[] subscribers;
            lock (_subscribers)
            {
                subscribers = [.. _subscribers];
            }

            foreach (var subscriber in subscribers)
            {
                subscriber(credentials);
            }
        }

        private sealed class Unsubscriber(FakeChangeNotifier owner, Action<QwenCredentials> subscriber) : IDisposable
        {
            public void Dispose()
            {
                lock (owner._subscribers)
                {
                    owner._subscribers.Remove(subscriber);
                }
            }
        }
    }
}
