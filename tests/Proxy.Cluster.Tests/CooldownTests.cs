using Proxy.Actors.Resilience;
using Proxy.Cluster.Tests.Support;

namespace Proxy.Cluster.Tests;

public sealed class CooldownTests
{
    [Fact]
    public async Task Quota_found_by_one_instance_rests_the_account_on_the_other()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        await using var b = await ClusterInstance.StartAsync(db, "b");
        var onA = new AccountCooldown("qwen", TimeProvider.System, store: a.Cooldowns);
        var onB = new AccountCooldown("qwen", TimeProvider.System, store: b.Cooldowns);
        using var attachA = a.Cooldowns.Attach(onA);
        using var attachB = b.Cooldowns.Attach(onB);
        var applied = new Recorder<(string Account, DateTimeOffset Until, bool Changed)>();
        b.Cooldowns.Applied += (account, until, changed) => applied.Add((account, until, changed));
        Assert.False(onB.IsCoolingDown(out _));

        onA.Observe(UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "free allocated quota exceeded", "insufficient_quota", TimeSpan.FromMinutes(10)));

        var received = await applied.WaitForAsync(x => x.Changed);
        Assert.Equal("qwen", received.Account);
        Assert.Equal(onA.Snapshot.Until.ToUnixTimeMilliseconds(), received.Until.ToUnixTimeMilliseconds());
        Assert.True(onB.IsCoolingDown(out var retryAfter));
        Assert.InRange(retryAfter, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Equal("free allocated quota exceeded", onB.Snapshot.Reason);
    }

    [Fact]
    public async Task Account_attached_later_learns_the_cooldown_already_in_the_table()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        var until = DateTimeOffset.UtcNow.AddMinutes(5);
        await a.Cooldowns.PublishAsync("qwen", until, CancellationToken.None);
        await using var c = await ClusterInstance.StartAsync(db, "c");
        var applied = new Recorder<bool>();
        c.Cooldowns.Applied += (_, _, changed) => applied.Add(changed);
        var onC = new AccountCooldown("qwen", TimeProvider.System, store: c.Cooldowns);

        using var attach = c.Cooldowns.Attach(onC);

        Assert.True(await applied.WaitForAsync(changed => changed));
        Assert.True(onC.IsCoolingDown(out _));
        Assert.Equal(until.ToUnixTimeMilliseconds(), onC.Snapshot.Until.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Shorter_cooldown_never_shortens_a_longer_one()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        var longer = DateTimeOffset.UtcNow.AddMinutes(30);

        await a.Cooldowns.PublishAsync("qwen", longer, CancellationToken.None);
        await a.Cooldowns.PublishAsync("qwen", longer.AddMinutes(-20), CancellationToken.None);

        var stored = await db.ScalarAsync<DateTime>("SELECT until FROM proxy_cooldowns WHERE account = 'qwen'");
        Assert.Equal(longer.UtcDateTime.Ticks / 10, stored.Ticks / 10);
    }
}
