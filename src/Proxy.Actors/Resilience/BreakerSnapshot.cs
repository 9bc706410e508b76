namespace Proxy.Actors.Resilience;

/// <summary>
/// An account's circuit as last published by its breaker actor. The request path reads it without
/// waiting and asks it for a permit; in <see cref="CircuitState.HalfOpen"/> exactly one caller gets
/// one (an interlocked flag on this very snapshot; the next publication starts afresh).
/// </summary>
internal sealed class BreakerSnapshot
{
    private const long NotTaken = long.MinValue;
    private long _trialTakenAt = NotTaken;

    public BreakerSnapshot(CircuitState state, long epoch, DateTimeOffset since, DateTimeOffset? trialAt, int recentFailures, int openings, TimeSpan halfOpenRetryAfter)
    {
        State = state;
        Epoch = epoch;
        Since = since;
        TrialAt = trialAt;
        RecentFailures = recentFailures;
        Openings = openings;
        HalfOpenRetryAfter = halfOpenRetryAfter;
    }

    public CircuitState State { get; }

    /// <summary>Grows with every state change; outcomes name the epoch their request was admitted in.</summary>
    public long Epoch { get; }

    /// <summary>When this state began.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>When open: when the half-open trial is due.</summary>
    public DateTimeOffset? TrialAt { get; }

    /// <summary>When closed: failures counted in the current window.</summary>
    public int RecentFailures { get; }

    /// <summary>Openings in a row since the circuit was last closed.</summary>
    public int Openings { get; }

    public TimeSpan HalfOpenRetryAfter { get; }

    /// <summary>When half-open: when the one trial permit was taken, if it was.</summary>
    public DateTimeOffset? TrialTakenAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _trialTakenAt);
            return ticks == NotTaken ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// May a request go upstream now? Closed: yes. Open: no, retry after the time left until the trial.
    /// Half-open: yes for exactly one caller (the trial), no for everyone else.
    /// </summary>
    public bool TryAcquirePermit(DateTimeOffset now, out TimeSpan retryAfter)
    {
        switch (State)
        {
            case CircuitState.Closed:
                retryAfter = TimeSpan.Zero;
                return true;
            case CircuitState.HalfOpen when Interlocked.CompareExchange(ref _trialTakenAt, now.UtcTicks, NotTaken) == NotTaken:
                retryAfter = TimeSpan.Zero;
                return true;
            case CircuitState.HalfOpen:
                retryAfter = HalfOpenRetryAfter;
                return false;
            default:
                var left = (TrialAt ?? now) - now;
                retryAfter = left > HalfOpenRetryAfter ? left : HalfOpenRetryAfter;
                return false;
        }
    }

    /// <summary>The answer for a refused request: 503 <c>circuit_open</c> with Retry-After.</summary>
    public static UpstreamResult Refusal(TimeSpan retryAfter) => UpstreamResult.Fail(
        FailureKind.CircuitOpen,
        503,
        $"The upstream is failing and requests for this account are paused; retry after {Math.Ceiling(retryAfter.TotalSeconds):0} s.",
        "circuit_open",
        retryAfter);

    public override string ToString() => $"{State} (epoch {Epoch}, since {Since:O}, failures {RecentFailures}, openings {Openings})";
}
