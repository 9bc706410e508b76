using Proxy.Actors.Resilience;
using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountStateTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly CapturingLoggerProvider _log = new();

    public void Dispose() => _log.Dispose();

    private AccountState Account(AccountDefinition? definition = null, TimeSpan? cooldown = null) =>
        new(definition ?? Pools.Key("a"), 0, _time, new AccountStateOptions { Cooldown = cooldown ?? TimeSpan.FromSeconds(60) }, _log.CreateLogger("Proxy.Accounts"));

    [Fact]
    public void A_quota_answer_without_a_reset_time_rests_the_account_for_the_configured_cooldown()
    {
        var account = Account(cooldown: TimeSpan.FromSeconds(90));
        Assert.True(account.TryAcquire(out var lease));

        account.Complete(lease, FailureKind.QuotaExhausted);

        Assert.Equal(new AccountCooldownState(Start.AddSeconds(90), Start.AddSeconds(90), FailureKind.QuotaExhausted), account.Cooldown);
        Assert.Equal(AccountAvailability.CoolingDown, account.Check(Start.AddSeconds(89), out var until));
        Assert.Equal(Start.AddSeconds(90), until);
        Assert.Equal(AccountAvailability.Available, account.Check(Start.AddSeconds(90), out _));
        Assert.Single(_log.Lines, l => l.Contains("Account a cools down until 2030-01-01T00:01:30.0000000+00:00 after quota_exhausted", StringComparison.Ordinal));
    }

    [Fact]
    public void A_retry_after_sets_the_rest_and_a_rate_limit_without_one_rests_five_seconds()
    {
        var quota = Account();
        quota.Observe(FailureKind.QuotaExhausted, TimeSpan.FromMinutes(30));
        var limited = Account();
        limited.Observe(FailureKind.RateLimited, null);

        Assert.Equal(Start.AddMinutes(30), quota.Cooldown!.Until);
        Assert.Equal(Start.AddSeconds(60), quota.Cooldown.TrialAt);
        Assert.Equal(Start.AddSeconds(5), limited.Cooldown!.Until);
    }

    [Fact]
    public void A_long_cooldown_lets_one_trial_through_each_cooldown_interval_and_a_success_ends_it()
    {
        var account = Account();
        account.Observe(FailureKind.QuotaExhausted, TimeSpan.FromHours(5));
        Assert.False(account.TryAcquire(out _));

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(account.TryAcquire(out var trial));
        Assert.True(trial.IsTrial);
        Assert.False(account.TryAcquire(out _)); // one trial at a time
        Assert.Equal(Start.AddSeconds(120), account.Cooldown!.TrialAt);

        account.Complete(trial, FailureKind.None);

        Assert.Null(account.Cooldown);
        Assert.True(account.TryAcquire(out var next));
        Assert.False(next.IsTrial);
        Assert.Single(_log.Lines, l => l.Contains("Account a is back: a trial request succeeded before its cooldown ended", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trial_that_meets_the_quota_again_restarts_the_cooldown_from_its_answer()
    {
        var account = Account();
        account.Observe(FailureKind.QuotaExhausted, TimeSpan.FromHours(5));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(account.TryAcquire(out var trial));

        account.Complete(trial, FailureKind.QuotaExhausted, TimeSpan.FromMinutes(10));

        Assert.Equal(new AccountCooldownState(Start.AddSeconds(60 + 600), Start.AddSeconds(120), FailureKind.QuotaExhausted), account.Cooldown);
    }

    [Fact]
    public void A_shorter_answer_does_not_cut_a_longer_cooldown_short()
    {
        var account = Account();
        account.Observe(FailureKind.QuotaExhausted, TimeSpan.FromMinutes(10));

        account.Observe(FailureKind.RateLimited, TimeSpan.FromSeconds(2));

        Assert.Equal(Start.AddMinutes(10), account.Cooldown!.Until);
    }

    [Fact]
    public void A_rejected_key_marks_the_account_dead_with_one_log_line_that_shows_no_key()
    {
        var account = Account();

        account.Observe(FailureKind.AuthRequired, null);
        account.Observe(FailureKind.AuthRequired, null);

        Assert.Equal("invalid_api_key", account.DeadReason);
        Assert.Equal(AccountAvailability.Dead, account.Check(Start, out _));
        Assert.False(account.TryAcquire(out _));
        var line = Assert.Single(_log.Lines, l => l.Contains("[1401]", StringComparison.Ordinal));
        Assert.Contains("Account a is dead (invalid_api_key): the upstream rejected its key …-key from api_key", line, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-a-secret-key", _log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replaced_key_lifts_the_dead_mark_and_a_later_rejection_marks_it_again()
    {
        var account = Account();
        account.Observe(FailureKind.AuthRequired, null);

        Assert.True(account.ReplaceKey(Pools.Key("a") with { ApiKey = "sk-a-rotated-key-9999" }));

        Assert.Null(account.DeadReason);
        Assert.Equal("sk-a-rotated-key-9999", account.Definition.ApiKey);
        Assert.Equal(AccountAvailability.Available, account.Check(Start, out _));
        Assert.False(account.ReplaceKey(Pools.Key("a") with { ApiKey = "sk-a-rotated-key-9999" }));
        account.Observe(FailureKind.AuthRequired, null);
        Assert.Equal("invalid_api_key", account.DeadReason);
        Assert.Equal(2, _log.Lines.Count(l => l.Contains("[1401]", StringComparison.Ordinal)));
        Assert.Throws<ArgumentException>(() => account.ReplaceKey(Pools.Key("b")));
    }

    [Fact]
    public void A_qwen_oauth_account_is_not_marked_dead_by_a_401_its_token_manager_handles_it()
    {
        var account = Account(Pools.Key("q") with { Kind = AccountKind.QwenOAuth, ApiKey = null });

        account.Observe(FailureKind.Unauthorized, null);

        Assert.Null(account.DeadReason);
    }

    [Fact]
    public void Requests_in_flight_and_failures_by_kind_are_counted()
    {
        var account = Account();
        Assert.True(account.TryAcquire(out var one));
        Assert.True(account.TryAcquire(out var two));
        Assert.True(account.TryAcquire(out var three));
        Assert.Equal(3, account.InFlight);

        account.Complete(one, FailureKind.None);
        account.Complete(two, FailureKind.UpstreamServerError);
        account.Complete(three, FailureKind.ClientCanceled);

        Assert.Equal(0, account.InFlight);
        Assert.Equal(3, account.Requests);
        Assert.Equal(1, account.Successes);
        Assert.Equal(new Dictionary<string, long> { ["upstream_server_error"] = 1 }, account.FailuresByKind());
    }
}
