using Proxy.Actors.Auth;
using Proxy.Cluster.Tests.Support;
using static Proxy.Cluster.Tests.Support.Refresher;

namespace Proxy.Cluster.Tests;

public sealed class RefreshTests
{
    private const string WaitingAdvisoryLocks =
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    [Fact]
    public async Task Two_instances_refreshing_together_refresh_exactly_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await b.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        var endpoint = new FakeTokenEndpoint("refresh-0");
        var aHoldsLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var refreshA = RefreshIfNeededAsync(a.Credentials, endpoint, whileLocked: async () =>
        {
            aHoldsLock.TrySetResult();
            await releaseA.Task;
        });
        await aHoldsLock.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var refreshB = RefreshIfNeededAsync(b.Credentials, endpoint);
        await Eventually.TrueAsync(async () => await db.ScalarAsync<long>(WaitingAdvisoryLocks) == 1, "instance b waits for the refresh lock");
        Assert.False(refreshB.IsCompleted);
        releaseA.SetResult();

        var fromA = await refreshA.WaitAsync(TimeSpan.FromSeconds(15));
        var fromB = await refreshB.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(1, endpoint.RefreshCount);
        Assert.Equal(0, endpoint.RejectedCount);
        Assert.Equal("access-1", fromA!.AccessToken);
        Assert.Equal("access-1", fromB!.AccessToken);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials WHERE account = 'qwen'"));
        Assert.Equal("a", await db.ScalarAsync<string>("SELECT updated_by FROM proxy_credentials WHERE account = 'qwen'"));
    }

    [Fact]
    public async Task Many_callers_on_two_instances_refresh_exactly_once_and_all_get_the_new_token()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await b.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        var endpoint = new FakeTokenEndpoint("refresh-0");
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 16)
            .Select(i => Task.Run(async () =>
            {
                await start.Task;
                return await RefreshIfNeededAsync(i % 2 == 0 ? a.Credentials : b.Credentials, endpoint);
            }))
            .ToArray();
        start.SetResult();
        var results = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, endpoint.RefreshCount);
        Assert.Equal(0, endpoint.RejectedCount);
        Assert.All(results, r => Assert.Equal("access-1", r!.AccessToken));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
    }

    [Fact]
    public async Task Refresh_on_one_instance_reaches_the_other_through_notify_and_is_served_from_memory()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        await b.Changes.WaitForAsync(c => c.AccessToken == "access-0");
        var endpoint = new FakeTokenEndpoint("refresh-0");

        var refreshed = await RefreshIfNeededAsync(a.Credentials, endpoint);

        var announced = await b.Changes.WaitForAsync(c => c.AccessToken == "access-1");
        Assert.Equal("refresh-1", announced.RefreshToken);
        Assert.Equal(refreshed!.ExpiresAt.ToUnixTimeMilliseconds(), announced.ExpiresAt.ToUnixTimeMilliseconds());
        var readsBefore = b.Credentials.RowReads;
        Assert.Equal(announced, await b.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(readsBefore, b.Credentials.RowReads);
        Assert.Equal(2L, b.Credentials.KnownVersion);
        Assert.DoesNotContain(a.Changes.Items, c => c.AccessToken == "access-1");
    }

    [Fact]
    public async Task Refresh_lock_held_by_another_instance_times_out_without_running_the_refresh()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b", lockTimeout: TimeSpan.FromMilliseconds(300));
        await a.Credentials.SaveAsync(Expired("access-0", "refresh-0"), CancellationToken.None);
        var aHoldsLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = a.Credentials.RunUnderRefreshLockAsync(
            async _ =>
            {
                aHoldsLock.SetResult();
                await releaseA.Task;
                return 0;
            },
            CancellationToken.None);
        await aHoldsLock.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var ran = false;

        var error = await Assert.ThrowsAsync<CredentialLockTimeoutException>(() => b.Credentials.RunUnderRefreshLockAsync(
            _ =>
            {
                ran = true;
                return Task.FromResult(0);
            },
            CancellationToken.None));

        releaseA.SetResult();
        await holding;
        Assert.False(ran);
        Assert.Equal("The credential lock of account qwen stayed held by another instance for 0.3 s.", error.Message);
    }

    [Fact]
    public async Task Nothing_is_written_when_the_credential_was_still_valid()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await a.Credentials.SaveAsync(Valid("access-0", "refresh-0"), CancellationToken.None);
        var endpoint = new FakeTokenEndpoint("refresh-0");

        var result = await RefreshIfNeededAsync(a.Credentials, endpoint);

        Assert.Equal("access-0", result!.AccessToken);
        Assert.Equal(0, endpoint.RefreshCount);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
    }
}
