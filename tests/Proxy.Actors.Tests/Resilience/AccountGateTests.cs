using System.Net;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class AccountGateTests
{
    private static readonly RetryOptions NoRetry = new() { MaxRetryAttempts = 0 };

    [Fact]
    public async Task Failures_through_the_gate_open_the_breaker_and_later_calls_are_refused_without_calling()
    {
        await using var kit = new BreakerTestKit();
        var gate = new AccountGate(new AccountCooldown("acct", kit.Time), kit.Breaker);
        var pipeline = RetryPipelines.Create(NoRetry, kit.Time);
        var calls = 0;
        UpstreamCall failing = _ =>
        {
            calls++;
            return Task.FromResult(UpstreamResult.Fail(FailureKind.UpstreamServerError, 503, "down"));
        };

        for (var i = 0; i < BreakerTestKit.Options.MaxFailures; i++)
        {
            using var result = await gate.SendAsync(failing, pipeline, CancellationToken.None);
            Assert.Equal(FailureKind.UpstreamServerError, result.Failure);
        }

        Assert.Equal(CircuitState.Open, (await kit.Settled()).State);
        using var refused = await gate.SendAsync(failing, pipeline, CancellationToken.None);

        Assert.Equal(FailureKind.CircuitOpen, refused.Failure);
        Assert.Equal(BreakerTestKit.Options.BaseOpenDelay, refused.RetryAfter);
        Assert.Equal(BreakerTestKit.Options.MaxFailures, calls);
    }

    [Fact]
    public async Task A_cooling_account_is_refused_before_the_breaker_so_no_trial_permit_is_spent()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        var cooldown = new AccountCooldown("acct", kit.Time);
        cooldown.Apply(kit.Time.GetUtcNow() + TimeSpan.FromMinutes(1));
        var gate = new AccountGate(cooldown, kit.Breaker);

        Assert.False(gate.TryAdmit(out _, out var refusal));
        Assert.Equal(FailureKind.QuotaExhausted, refusal!.Failure);
        Assert.True(kit.Breaker.TryAcquirePermit(out _, out _));
    }

    [Fact]
    public async Task A_successful_trial_through_the_gate_closes_the_breaker()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        var gate = new AccountGate(new AccountCooldown("acct", kit.Time), kit.Breaker);

        using var result = await gate.SendAsync(_ => Task.FromResult(UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK))), RetryPipelines.Create(NoRetry, kit.Time), CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal(CircuitState.Closed, (await kit.Settled()).State);
    }
}
