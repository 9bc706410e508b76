using System.Net;
using Microsoft.Extensions.Time.Testing;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class AccountCooldownTests
{
    private static readonly CooldownOptions Options = new() { DefaultCooldown = TimeSpan.FromMinutes(15) };

    [Fact]
    public void Lift_ends_only_a_cooldown_set_for_that_reason()
    {
        var clock = new FakeTimeProvider();
        var cooldown = new AccountCooldown("default", clock, Options);
        cooldown.Apply(clock.GetUtcNow().AddHours(24), "invalid_api_key");

        Assert.False(cooldown.Lift("something else"));
        Assert.True(cooldown.IsCoolingDown(out _));
        Assert.True(cooldown.Lift("invalid_api_key"));
        Assert.False(cooldown.IsCoolingDown(out _));
        Assert.False(cooldown.Lift("invalid_api_key"));

        cooldown.Apply(clock.GetUtcNow().AddMinutes(5), "quota");
        Assert.False(cooldown.Lift("invalid_api_key"));
        Assert.True(cooldown.IsCoolingDown(out _));
    }

    [Fact]
    public async Task Quota_answer_cools_the_account_for_the_reset_time_then_clears_by_itself()
    {
        var clock = new FakeTimeProvider();
        var cooldown = new AccountCooldown("default", clock, Options);
        var calls = 0;
        var call = cooldown.Guard(_ =>
        {
            calls++;
            return Task.FromResult(calls == 1
                ? UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "free allocated quota exceeded", "insufficient_quota", TimeSpan.FromMinutes(3))
                : UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK)));
        });

        using var first = await call(CancellationToken.None);
        Assert.Equal(FailureKind.QuotaExhausted, first.Failure);

        clock.Advance(TimeSpan.FromMinutes(1));
        using var refused = await call(CancellationToken.None);
        Assert.Equal(FailureKind.QuotaExhausted, refused.Failure);
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("insufficient_quota", refused.Code);
        Assert.Equal(TimeSpan.FromMinutes(2), refused.RetryAfter);
        Assert.Equal(1, calls);

        clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));
        using var stillRefused = await call(CancellationToken.None);
        Assert.Equal(FailureKind.QuotaExhausted, stillRefused.Failure);
        Assert.Equal(1, calls);

        clock.Advance(TimeSpan.FromTicks(1));
        using var cleared = await call(CancellationToken.None);
        Assert.True(cleared.IsSuccess);
        Assert.Equal(2, calls);
        Assert.False(cooldown.IsCoolingDown(out _));
    }

    [Fact]
    public void Quota_without_a_reset_time_cools_for_the_configured_time()
    {
        var clock = new FakeTimeProvider();
        var cooldown = new AccountCooldown("default", clock, Options);

        cooldown.Observe(UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "quota", "insufficient_quota"));

        Assert.True(cooldown.IsCoolingDown(out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(15), retryAfter);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(15), cooldown.Snapshot.Until);
    }

    [Theory]
    [InlineData(FailureKind.RateLimited)]
    [InlineData(FailureKind.UpstreamServerError)]
    [InlineData(FailureKind.UpstreamClientError)]
    [InlineData(FailureKind.Unauthorized)]
    public void Other_failures_do_not_cool_the_account(FailureKind kind)
    {
        var cooldown = new AccountCooldown("default", new FakeTimeProvider(), Options);

        cooldown.Observe(UpstreamResult.Fail(kind, kind.ToStatusCode(), "x", retryAfter: TimeSpan.FromMinutes(5)));

        Assert.False(cooldown.IsCoolingDown(out var retryAfter));
        Assert.Equal(TimeSpan.Zero, retryAfter);
    }

    [Fact]
    public void A_far_reset_time_is_capped_and_a_shorter_one_never_shortens_a_cooldown()
    {
        var clock = new FakeTimeProvider();
        var cooldown = new AccountCooldown("default", clock, Options with { MaxCooldown = TimeSpan.FromHours(1) });

        cooldown.Observe(UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "quota", retryAfter: TimeSpan.FromDays(30)));
        cooldown.Observe(UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "quota", retryAfter: TimeSpan.FromMinutes(1)));

        Assert.True(cooldown.IsCoolingDown(out var retryAfter));
        Assert.Equal(TimeSpan.FromHours(1), retryAfter);
    }

    [Fact]
    public async Task A_new_cooldown_is_published_to_the_shared_store_and_one_learnt_from_it_applies()
    {
        var clock = new FakeTimeProvider();
        var store = new RecordingStore();
        var cooldown = new AccountCooldown("acct-a", clock, Options, store);

        cooldown.Observe(UpstreamResult.Fail(FailureKind.QuotaExhausted, 429, "quota", retryAfter: TimeSpan.FromMinutes(2)));
        var published = await store.Published.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("acct-a", clock.GetUtcNow() + TimeSpan.FromMinutes(2)), published);

        Assert.True(cooldown.Apply(clock.GetUtcNow() + TimeSpan.FromMinutes(10), "from another instance"));
        Assert.True(cooldown.IsCoolingDown(out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(10), retryAfter);
    }

    private sealed class RecordingStore : ICooldownStore
    {
        public TaskCompletionSource<(string, DateTimeOffset)> Published { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask PublishAsync(string account, DateTimeOffset until, CancellationToken cancellationToken)
        {
            Published.TrySetResult((account, until));
            return default;
        }
    }
}
