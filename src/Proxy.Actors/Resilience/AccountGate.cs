using Polly;

namespace Proxy.Actors.Resilience;

/// <summary>
/// The request path's checks for one account, in order, none of them waiting: the quota cooldown,
/// then the circuit breaker's permit. A non-streaming call goes through <see cref="SendAsync"/>;
/// a stream is admitted with <see cref="TryAdmit"/> and started under the breaker with the epoch.
/// </summary>
internal sealed class AccountGate(AccountCooldown cooldown, CircuitBreaker breaker)
{
    public AccountCooldown Cooldown { get; } = cooldown;

    public CircuitBreaker Breaker { get; } = breaker;

    /// <summary>
    /// May a request for this account go upstream now? On true, report its outcome with
    /// <paramref name="epoch"/>; on false, answer <paramref name="refusal"/> (429 quota or 503 circuit open).
    /// </summary>
    public bool TryAdmit(out long epoch, out UpstreamResult? refusal)
    {
        if (Cooldown.IsCoolingDown(out var rest))
        {
            epoch = 0;
            refusal = Cooldown.Refusal(rest);
            return false;
        }

        if (!Breaker.TryAcquirePermit(out epoch, out var retryAfter))
        {
            refusal = BreakerSnapshot.Refusal(retryAfter);
            return false;
        }

        refusal = null;
        return true;
    }

    /// <summary>
    /// Wraps <paramref name="call"/> so each attempt honours the cooldown and a quota answer starts one;
    /// run it through the retry pipeline for the opening phase only.
    /// </summary>
    public UpstreamCall Guard(UpstreamCall call) => Cooldown.Guard(call);

    /// <summary>
    /// A whole non-streaming call: admitted, retried through <paramref name="pipeline"/>, and its
    /// outcome (at the response headers) reported to the breaker. Refusals come back at once.
    /// </summary>
    public async Task<UpstreamResult> SendAsync(UpstreamCall call, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        if (!TryAdmit(out var epoch, out var refusal))
        {
            return refusal!;
        }

        UpstreamResult result;
        try
        {
            result = await pipeline.ExecuteAsync(Guard(call), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Not an answer from the upstream: says nothing of its health, and frees a trial permit.
            Breaker.ReportOutcome(FailureKind.ClientCanceled, epoch);
            throw;
        }

        Breaker.ReportOutcome(result.Failure, epoch);
        return result;
    }
}
