using Microsoft.Extensions.Logging;
using Proxy.Actors.Auth;
using Akka.Actor;
using Proxy.Cluster.Tests.Support;
using Qwen.Emulator;

namespace Proxy.Cluster.Tests;

/// <summary>The real token managers of two instances, each on its own store, against the emulator's OAuth endpoints.</summary>
public sealed class TokenManagerClusterTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly HttpClient _http = new();
    private EmulatorHost _emulator = null!;
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorHost.StartAsync(new EmulatorOptions());
        _db = await TestDatabase.CreateAsync();
    }

    [Fact]
    public async Task Expired_token_asked_for_on_two_instances_is_refreshed_once_at_the_emulator()
    {
        var issued = _emulator.State.IssueToken();
        var a = await StartInstanceAsync("a");
        var b = await StartInstanceAsync("b");
        await a.Credentials.SaveAsync(new QwenCredentials(issued.AccessToken, issued.RefreshToken, "Bearer", issued.ResourceUrl, DateTimeOffset.UtcNow.AddMinutes(-1)), CancellationToken.None);
        await b.Changes.WaitForAsync(c => c.AccessToken == issued.AccessToken);
        var managerA = await StartManagerAsync(a);
        var managerB = await StartManagerAsync(b);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 40)
            .Select(i => Task.Run(async () =>
            {
                await start.Task;
                return await (i % 2 == 0 ? managerA : managerB).GetTokenAsync(CancellationToken.None);
            }))
            .ToArray();
        start.SetResult();
        var tokens = await Task.WhenAll(callers).WaitAsync(Bound);

        Assert.Equal(1, _emulator.State.RefreshCount);
        Assert.Single(tokens.Select(t => t.Value).Distinct());
        Assert.NotEqual(issued.AccessToken, tokens[0].Value);
        Assert.Equal(tokens[0].Value, await _db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
    }

    [Fact]
    public async Task Token_manager_takes_a_login_made_on_another_instance_at_once()
    {
        var first = _emulator.State.IssueToken();
        var a = await StartInstanceAsync("a");
        var b = await StartInstanceAsync("b");
        await b.Credentials.SaveAsync(ToCredentials(first), CancellationToken.None);
        var managerA = await StartManagerAsync(a);
        await managerA.WaitForAsync(s => s.TokenHint == Hint(first.AccessToken), CancellationToken.None).WaitAsync(Bound);

        var second = _emulator.State.IssueToken();
        await b.Credentials.SaveAsync(ToCredentials(second), CancellationToken.None);

        // The store is otherwise checked once an hour here: only the notification can bring it.
        var snapshot = await managerA.WaitForAsync(s => s.TokenHint == Hint(second.AccessToken), CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(AuthState.Valid, snapshot.State);
        Assert.Equal(second.AccessToken, (await managerA.GetTokenAsync(CancellationToken.None)).Value);
        Assert.Equal(0, _emulator.State.RefreshCount);
    }

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        await _db.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    public void Dispose() => _http.Dispose();

    private static QwenCredentials ToCredentials(IssuedToken token) =>
        new(token.AccessToken, token.RefreshToken, "Bearer", token.ResourceUrl, token.ExpiresAt);

    private static string Hint(string token) => "…" + token[^4..];

    private async Task<ClusterInstance> StartInstanceAsync(string name)
    {
        var instance = await ClusterInstance.StartAsync(_db, name);
        _owned.Add(instance);
        return instance;
    }

    private async Task<TokenManager> StartManagerAsync(ClusterInstance instance)
    {
        var system = ActorSystem.Create("proxy-" + instance.Name, "akka.loglevel = WARNING");
        _owned.Add(new OwnedSystem(system));
        var options = new QwenAuthOptions
        {
            QwenDir = Path.Combine(Path.GetTempPath(), "unused-" + instance.Name),
            OAuthBaseUrl = _emulator.BaseUrl,
            CredentialCheckInterval = TimeSpan.FromHours(1),
            AccountName = instance.Credentials.Account,
        };
        var client = new DeviceFlowClient(_http, _emulator.BaseUrl, TimeProvider.System, TestLogging.Factory.CreateLogger<DeviceFlowClient>());
        var manager = TokenManager.Start(system, TimeProvider.System, options, instance.Credentials, client, TestLogging.Factory, notifier: instance.Credentials);
        await manager.ReloadAsync(CancellationToken.None).WaitAsync(Bound);
        return manager;
    }

    /// <summary>An actor system terminated with the other resources of the test.</summary>
    private sealed class OwnedSystem(ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await system.Terminate();
    }
}
