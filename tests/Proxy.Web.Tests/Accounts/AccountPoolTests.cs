using Proxy.Actors.Resilience;
using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountPoolTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Round_robin_shares_requests_by_weight_smoothly()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a", weight: 5), Pools.Key("b"), Pools.Key("c"));

        var firsts = Enumerable.Range(0, 7).Select(_ => pool.Select(null).Candidates[0].Name).ToArray();

        Assert.Equal(["a", "a", "b", "a", "c", "a", "a"], firsts);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 495, ["b"] = 99, ["c"] = 99 }, Pools.Spread(pool, 693));
    }

    [Fact]
    public void Round_robin_lists_every_other_available_account_after_the_pick_for_failover()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"), Pools.Key("c"));

        Assert.Equal(["a", "b", "c"], Pools.Names(pool.Select(null)));
        Assert.Equal(["b", "c", "a"], Pools.Names(pool.Select(null)));
        Assert.Equal(["c", "a", "b"], Pools.Names(pool.Select(null)));
    }

    [Fact]
    public void A_cooling_account_is_skipped_and_the_others_keep_equal_shares()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"), Pools.Key("c"));
        pool.Accounts[2].CoolDown(FailureKind.QuotaExhausted, TimeSpan.FromMinutes(10));

        var counts = Pools.Spread(pool, 1000);

        Assert.Equal(new Dictionary<string, int> { ["a"] = 500, ["b"] = 500, ["c"] = 0 }, counts);
        Assert.Equal(["a", "b"], Pools.Names(pool.Select(null)).Order());
    }

    [Fact]
    public void Fill_first_sends_everything_to_the_first_available_account_in_file_order()
    {
        var pool = Pools.Of(_time, PoolStrategy.FillFirst, Pools.Key("a"), Pools.Key("b"), Pools.Key("c"));

        Assert.Equal(new Dictionary<string, int> { ["a"] = 10, ["b"] = 0, ["c"] = 0 }, Pools.Spread(pool, 10));
        pool.Accounts[0].MarkDead("invalid_api_key");
        Assert.Equal(["b", "c"], Pools.Names(pool.Select(null)));
    }

    [Fact]
    public void Least_in_flight_prefers_the_account_with_the_fewest_requests_per_weight()
    {
        var pool = Pools.Of(_time, PoolStrategy.LeastInFlight, Pools.Key("a"), Pools.Key("b", weight: 2), Pools.Key("c"));
        Assert.True(pool.Accounts[0].TryAcquire(out _));
        Assert.True(pool.Accounts[1].TryAcquire(out _));
        Assert.True(pool.Accounts[1].TryAcquire(out _));

        // a: 1/1, b: 2/2, c: 0/1 -> c first; a and b tie at 1 and keep the rotation's order.
        var names = Pools.Names(pool.Select(null));

        Assert.Equal("c", names[0]);
        Assert.Equal(["a", "b"], names[1..].Order());
    }

    [Fact]
    public void An_account_at_max_concurrent_is_skipped_until_a_request_completes()
    {
        var pool = Pools.Of(_time, PoolStrategy.FillFirst, Pools.Key("a", maxConcurrent: 1), Pools.Key("b"));
        Assert.True(pool.Accounts[0].TryAcquire(out var lease));

        Assert.Equal(["b"], Pools.Names(pool.Select(null)));
        Assert.False(pool.Accounts[0].TryAcquire(out _));

        pool.Accounts[0].Complete(lease, FailureKind.None);
        Assert.Equal(["a", "b"], Pools.Names(pool.Select(null)));
    }

    [Fact]
    public void Only_accounts_whose_models_include_the_request_are_candidates()
    {
        var pool = Pools.Of(_time, PoolStrategy.FillFirst, Pools.Key("a", models: "qwen3-max"), Pools.Key("b", models: "qwen3-coder-plus"), Pools.Key("c"));

        Assert.Equal(["b", "c"], Pools.Names(pool.Select("qwen3-coder-plus")));
        Assert.Equal(["a", "c"], Pools.Names(pool.Select("qwen3-max")));
    }

    [Fact]
    public void A_model_no_account_serves_is_a_400_naming_it()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a", models: "qwen3-max"));

        var refusal = pool.Select("gpt-5").Refusal;

        Assert.Equal(new PoolRefusal(400, "invalid_request_error", "model_not_found", "No upstream account serves the model 'gpt-5'.", null), refusal);
    }

    [Fact]
    public void A_rate_limit_rests_an_account_of_several_but_never_the_only_one_while_a_quota_rests_both()
    {
        var several = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"));
        var alone = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("only"));

        several.Accounts[0].Observe(FailureKind.RateLimited, TimeSpan.FromSeconds(1));
        alone.Accounts[0].Observe(FailureKind.RateLimited, TimeSpan.FromSeconds(1));

        Assert.Equal(["b"], Pools.Names(several.Select(null)));
        Assert.Null(alone.Accounts[0].Cooldown);
        Assert.Equal(["only"], Pools.Names(alone.Select(null)));
        Assert.True(alone.Accounts[0].TryAcquire(out _));

        alone.Accounts[0].Observe(FailureKind.QuotaExhausted, TimeSpan.FromMinutes(5));
        Assert.Empty(alone.Select(null).Candidates);
        Assert.Equal("all_accounts_cooling_down", alone.Select(null).Refusal!.Code);
    }

    [Fact]
    public void When_every_account_cools_down_the_answer_is_429_with_the_earliest_recovery()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"));
        pool.Accounts[0].CoolDown(FailureKind.QuotaExhausted, TimeSpan.FromSeconds(45));
        pool.Accounts[1].CoolDown(FailureKind.RateLimited, TimeSpan.FromSeconds(12.2));

        var selection = pool.Select(null);

        Assert.Empty(selection.Candidates);
        var refusal = selection.Refusal!;
        Assert.Equal(429, refusal.Status);
        Assert.Equal("rate_limit_error", refusal.Type);
        Assert.Equal("all_accounts_cooling_down", refusal.Code);
        Assert.Equal(TimeSpan.FromSeconds(13), refusal.RetryAfter);
        Assert.Equal(
            "Every upstream account is resting (a: cooling_down until 2030-01-01T00:00:45.0000000+00:00, b: cooling_down until 2030-01-01T00:00:12.2000000+00:00); retry after 13 s.",
            refusal.Message);
        Assert.False(pool.CanServe());

        _time.Advance(TimeSpan.FromSeconds(13));
        Assert.Equal(["b"], Pools.Names(pool.Select(null)));
        Assert.True(pool.CanServe());
    }

    [Fact]
    public void When_every_key_is_dead_the_answer_names_each_accounts_state_and_gives_no_login_advice()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"));
        pool.Accounts[0].Observe(FailureKind.AuthRequired, null);
        pool.Accounts[1].MarkDead("invalid_api_key");

        var refusal = pool.Select(null).Refusal!;

        Assert.Equal(
            new PoolRefusal(
                503,
                "upstream_error",
                "invalid_api_key",
                "No upstream account can serve: a: dead (invalid_api_key), b: dead (invalid_api_key). Replace the rejected key (UPSTREAM_API_KEY) and restart the proxy.",
                null),
            refusal);
        Assert.DoesNotContain("log in", refusal.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(pool.CanServe());
    }

    [Fact]
    public void Cooling_outranks_dead_in_the_refusal_so_the_client_knows_to_come_back()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"));
        pool.Accounts[0].MarkDead("invalid_api_key");
        pool.Accounts[1].CoolDown(FailureKind.QuotaExhausted, TimeSpan.FromSeconds(30));

        var refusal = pool.Select(null).Refusal!;

        Assert.Equal(429, refusal.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), refusal.RetryAfter);
        Assert.Contains("a: dead (invalid_api_key), b: cooling_down until", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_breaker_reported_by_the_probe_takes_the_account_out()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, Pools.Key("a"), Pools.Key("b"));
        var probe = new FixedProbe(AccountAvailability.CircuitOpen, _time.GetUtcNow().AddSeconds(20));
        pool.Accounts[0].Probe = probe;
        pool.Accounts[1].Probe = probe;

        var refusal = pool.Select(null).Refusal!;

        Assert.Equal(503, refusal.Status);
        Assert.Equal("circuit_open", refusal.Type);
        Assert.Equal(TimeSpan.FromSeconds(20), refusal.RetryAfter);
    }

    [Fact]
    public void Affinity_keeps_a_key_on_one_account_and_moves_it_only_while_that_account_is_out()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, new AffinityOptions(), Pools.Key("a"), Pools.Key("b"), Pools.Key("c"));
        const ulong key = 0x1234_5678_9abc_def0UL;

        var home = pool.Select(null, key).Candidates[0];
        for (var i = 0; i < 20; i++)
        {
            Assert.Same(home, pool.Select(null, key).Candidates[0]);
        }

        var second = pool.Select(null, key).Candidates[1];
        home.CoolDown(FailureKind.QuotaExhausted, TimeSpan.FromSeconds(30));
        Assert.Same(second, pool.Select(null, key).Candidates[0]);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Same(home, pool.Select(null, key).Candidates[0]);
    }

    [Fact]
    public void Affinity_spreads_many_keys_over_the_accounts_by_weight()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, new AffinityOptions(), Pools.Key("a"), Pools.Key("b"), Pools.Key("c", weight: 2));
        var counts = pool.Accounts.ToDictionary(a => a.Name, _ => 0);

        for (var k = 0UL; k < 4000; k++)
        {
            counts[pool.Select(null, k * 0x9E3779B97F4A7C15UL).Candidates[0].Name]++;
        }

        // Expected 1000, 1000, 2000: within 5%.
        Assert.InRange(counts["a"], 950, 1050);
        Assert.InRange(counts["b"], 950, 1050);
        Assert.InRange(counts["c"], 1900, 2100);
    }

    [Fact]
    public void Removing_an_account_moves_only_the_keys_it_held()
    {
        var pool = Pools.Of(_time, PoolStrategy.RoundRobin, new AffinityOptions(), Pools.Key("a"), Pools.Key("b"), Pools.Key("c"));
        var before = Enumerable.Range(0, 300).Select(k => pool.Select(null, (ulong)k * 7919).Candidates[0].Name).ToArray();

        pool.Accounts[1].MarkDead("invalid_api_key");
        var after = Enumerable.Range(0, 300).Select(k => pool.Select(null, (ulong)k * 7919).Candidates[0].Name).ToArray();

        for (var k = 0; k < before.Length; k++)
        {
            if (before[k] != "b")
            {
                Assert.Equal(before[k], after[k]);
            }
            else
            {
                Assert.NotEqual("b", after[k]);
            }
        }
    }

    private sealed class FixedProbe(AccountAvailability availability, DateTimeOffset? until) : IAccountProbe
    {
        public AccountAvailability Check(DateTimeOffset now, out DateTimeOffset? at)
        {
            at = until;
            return availability;
        }
    }
}
