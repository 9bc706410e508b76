using Proxy.Actors.Auth;
using Proxy.Cluster.Tests.Support;
using static Proxy.Cluster.Tests.Support.Refresher;

namespace Proxy.Cluster.Tests;

public sealed class LoginTests
{
    [Fact]
    public async Task Concurrent_logins_on_two_instances_leave_one_consistent_row()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var logins = Enumerable.Range(0, 40)
            .Select(i => Task.Run(async () =>
            {
                await start.Task;
                var instance = i % 2 == 0 ? a : b;
                await instance.Credentials.SaveAsync(Valid($"access-{instance.Name}-{i}", $"refresh-{instance.Name}-{i}", $"resource-{instance.Name}-{i}"), CancellationToken.None);
            }))
            .ToArray();
        start.SetResult();
        await Task.WhenAll(logins).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM proxy_credentials"));
        Assert.Equal(40L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        var access = await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials");
        var suffix = access["access-".Length..];
        Assert.Equal($"refresh-{suffix}", await db.ScalarAsync<string>("SELECT refresh_token FROM proxy_credentials"));
        Assert.Equal($"resource-{suffix}", await db.ScalarAsync<string>("SELECT resource_url FROM proxy_credentials"));
        Assert.Equal(suffix[..1], await db.ScalarAsync<string>("SELECT updated_by FROM proxy_credentials"));

        // Both instances end on that same credential.
        var onA = await a.Changes.WaitForAsync(c => c.AccessToken == access);
        var onB = await b.Changes.WaitForAsync(c => c.AccessToken == access);
        Assert.Equal(onA, onB);
        Assert.Equal(onA, await a.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(onA, await b.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(40L, a.Credentials.KnownVersion);
        Assert.Equal(40L, b.Credentials.KnownVersion);
    }

    [Fact]
    public async Task Login_waits_for_a_refresh_in_progress_and_then_wins()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await b.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        var endpoint = new FakeTokenEndpoint("refresh-0");
        var aHoldsLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refresh = RefreshIfNeededAsync(a.Credentials, endpoint, whileLocked: async () =>
        {
            aHoldsLock.TrySetResult();
            await releaseA.Task;
        });
        await aHoldsLock.Task.WaitAsync(TimeSpan.FromSeconds(15));

        var login = b.Credentials.SaveAsync(Valid("access-login", "refresh-login"), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(
            async () => await db.ScalarAsync<long>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") >= 1,
            "the login waits for the refresh lock");
        releaseA.SetResult();
        await refresh.WaitAsync(TimeSpan.FromSeconds(15));
        await login.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        Assert.Equal("access-login", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
        Assert.Equal("refresh-login", await db.ScalarAsync<string>("SELECT refresh_token FROM proxy_credentials"));
        Assert.Equal("access-login", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-login")).AccessToken);
    }

    [Fact]
    public async Task Login_is_not_lost_to_a_lock_that_stays_taken()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b", lockTimeout: TimeSpan.FromMilliseconds(300));
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        var aHoldsLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = a.Credentials.RunUnderRefreshLockAsync(
            async _ =>
            {
                aHoldsLock.SetResult();
                await releaseA.Task;
                return 0;
            },
            CancellationToken.None);
        await aHoldsLock.Task.WaitAsync(TimeSpan.FromSeconds(15));

        await b.Credentials.SaveAsync(Valid("access-login", "refresh-login"), CancellationToken.None);

        Assert.Equal("access-login", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        Assert.Equal("access-login", (await a.Changes.WaitForAsync(c => c.AccessToken == "access-login")).AccessToken);
        releaseA.SetResult();
        await stuck;
        Assert.Equal("access-login", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
    }

    [Fact]
    public async Task A_login_is_announced_on_the_instance_that_wrote_it_too()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");

        await a.Credentials.SaveAsync(Valid("access-0", "refresh-0"), CancellationToken.None);

        Assert.Equal(["access-0"], a.Changes.Items.Select(c => c.AccessToken));
    }
}
