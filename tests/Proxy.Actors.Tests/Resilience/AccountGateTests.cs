using System.Net;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class AccountGateTests : BreakerTestKit
{
    public AccountGateTests() => StartBreaker();

    private static readonly RetryOptions NoRetry = new() { MaxRetryAttempts = 0 };

    [Fact]
    public async Task Failures_through_the_gate_open_the_breaker_and_later_calls_are_refused_without_calling()
    {
        var gate = new AccountGate(new AccountCooldown("acct", Clock.Time), Breaker);
        var pipeline = RetryPipelines.Create(NoRetry, Clock.Time);
        var calls = 0;
        UpstreamCall failing = _ =>
        {
            calls++;
            return Task.FromResult(UpstreamResult.Fail(FailureKind.UpstreamServerError, 503, "down"));
        };

        for (var i = 0; i < Options.MaxFailures; i++)
        {
            using var result = await gate.SendAsync(failing, pipeline, CancellationToken.None);
            Assert.Equal(FailureKind.UpstreamServerError, result.Failure);
        }

        Assert.Equal(CircuitState.Open, (await Settled()).State);
        using var refused = await gate.SendAsync(failing, pipeline, CancellationToken.None);

        Assert.Equal(FailureKind.CircuitOpen, refused.Failure);
        Assert.Equal(Options.BaseOpenDelay, refused.RetryAfter);
        Assert.Equal(Options.MaxFailures, calls);
    }

    [Fact]
    public async Task A_cooling_account_is_refused_before_the_breaker_so_no_trial_permit_is_spent()
    {
        await HalfOpenIt();
        var cooldown = new AccountCooldown("acct", Clock.Time);
        cooldown.Apply(Clock.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var gate = new AccountGate(cooldown, Breaker);

        Assert.False(gate.TryAdmit(out _, out var refusal));
        Assert.Equal(FailureKind.QuotaExhausted, refusal!.Failure);
        Assert.True(Breaker.TryAcquirePermit(out _, out _));
    }

    [Fact]
    public async Task A_successful_trial_through_the_gate_closes_the_breaker()
    {
        await HalfOpenIt();
        var gate = new AccountGate(new AccountCooldown("acct", Clock.Time), Breaker);

        using var result = await gate.SendAsync(_ => Task.FromResult(UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK))), RetryPipelines.Create(NoRetry, Clock.Time), CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal(CircuitState.Closed, (await Settled()).State);
    }
}
