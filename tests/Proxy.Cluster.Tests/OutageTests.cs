using Npgsql;
using Proxy.Actors.Auth;
using Proxy.Cluster.Tests.Support;
using static Proxy.Cluster.Tests.Support.Refresher;

namespace Proxy.Cluster.Tests;

public sealed class OutageTests
{
    [Fact]
    public async Task Listener_reconnects_after_its_backend_is_terminated_and_hears_changes_again()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        var killed = a.Database.Listener.BackendProcessId;
        Assert.NotEqual(0, killed);

        Assert.True(await db.ScalarAsync<bool>("SELECT pg_terminate_backend(@pid)", ("pid", killed)));
        await a.ListenerEvents.Disconnected.WaitForAsync(n => n == 1);
        await a.ListenerEvents.Connected.WaitForAsync(n => n == 2);
        await b.Credentials.SaveAsync(Valid("access-after", "refresh-after"), CancellationToken.None);

        Assert.Equal("access-after", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-after")).AccessToken);
        Assert.NotEqual(killed, a.Database.Listener.BackendProcessId);
        Assert.Equal(2, a.Database.Listener.ConnectCount);
    }

    [Fact]
    public async Task Unreachable_database_serves_the_last_token_never_refreshes_and_catches_up_on_reconnect()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var relay = new TcpRelay(server.Host!, server.Port);
        await using var a = ClusterInstance.CreateBehind(relay, db, "a");
        await a.StartAsync();
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await b.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await a.Changes.WaitForAsync(c => c.AccessToken == "access-0");

        relay.Cut();
        await a.ListenerEvents.Disconnected.WaitForAsync(n => n == 1);
        await b.Credentials.SaveAsync(Valid("access-1", "refresh-1"), CancellationToken.None);

        Assert.Equal("access-0", (await a.Credentials.LoadAsync(CancellationToken.None))!.AccessToken);
        var endpoint = new FakeTokenEndpoint("refresh-0");
        var error = await Assert.ThrowsAsync<CredentialLockTimeoutException>(() => RefreshIfNeededAsync(a.Credentials, endpoint));
        Assert.Equal(0, endpoint.RefreshCount);
        Assert.StartsWith("The cluster database at postgresql://127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("cannot be reached; the credential is not refreshed without its lock.", error.Message, StringComparison.Ordinal);

        relay.Restore();
        Assert.Equal("access-1", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-1")).AccessToken);
        await a.ListenerEvents.Connected.WaitForAsync(n => n == 2);
        Assert.Equal("access-1", (await a.Credentials.LoadAsync(CancellationToken.None))!.AccessToken);
    }

    [Fact]
    public async Task Refresh_whose_write_is_lost_keeps_the_new_token_and_writes_it_back_when_the_database_returns()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var relay = new TcpRelay(server.Host!, server.Port);
        await using var a = ClusterInstance.CreateBehind(relay, db, "a");
        await a.StartAsync();
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await b.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await a.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        var endpoint = new FakeTokenEndpoint("refresh-0");

        var refreshed = await RefreshIfNeededAsync(a.Credentials, endpoint, beforeSave: () =>
        {
            relay.Cut();
            return Task.CompletedTask;
        });

        Assert.Equal("access-1", refreshed!.AccessToken);
        Assert.True(a.Credentials.HasUnsavedCredential);
        Assert.Equal("access-1", (await a.Credentials.LoadAsync(CancellationToken.None))!.AccessToken);
        Assert.Equal("access-0", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));

        relay.Restore();
        var announced = await b.Changes.WaitForAsync(c => c.AccessToken == "access-1");
        Assert.Equal("refresh-1", announced.RefreshToken);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        Assert.Equal("a", await db.ScalarAsync<string>("SELECT updated_by FROM proxy_credentials"));
        Assert.False(a.Credentials.HasUnsavedCredential);
        Assert.Equal(1, endpoint.RefreshCount);
    }

    [Fact]
    public async Task Kept_token_is_dropped_when_a_login_wrote_a_newer_credential_meanwhile()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var relay = new TcpRelay(server.Host!, server.Port);
        await using var a = ClusterInstance.CreateBehind(relay, db, "a");
        await a.StartAsync();
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await b.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await a.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        await RefreshIfNeededAsync(a.Credentials, new FakeTokenEndpoint("refresh-0"), beforeSave: () =>
        {
            relay.Cut();
            return Task.CompletedTask;
        });
        Assert.True(a.Credentials.HasUnsavedCredential);

        await b.Credentials.SaveAsync(Valid("access-login", "refresh-login"), CancellationToken.None);
        relay.Restore();

        Assert.Equal("access-login", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-login")).AccessToken);
        Assert.False(a.Credentials.HasUnsavedCredential);
        Assert.Equal("access-login", (await a.Credentials.LoadAsync(CancellationToken.None))!.AccessToken);
        Assert.Equal("access-login", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
    }

    [Fact]
    public async Task Instance_started_while_the_database_is_away_has_no_credential_until_it_answers()
    {
        await using var db = await TestDatabase.CreateAsync();
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await b.Credentials.SaveAsync(Valid("access-0", "refresh-0"), CancellationToken.None);
        await using var relay = new TcpRelay(server.Host!, server.Port);
        relay.Cut();
        await using var a = ClusterInstance.CreateBehind(relay, db, "a");

        Assert.Null(await a.Credentials.LoadAsync(CancellationToken.None));
        await Assert.ThrowsAsync<CredentialLockTimeoutException>(() => RefreshIfNeededAsync(a.Credentials, new FakeTokenEndpoint("refresh-0")));

        relay.Restore();
        Assert.Equal("access-0", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-0")).AccessToken);
    }
}
