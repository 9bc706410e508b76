using Proxy.Actors.Runtime;

namespace Proxy.Actors.Resilience;

/// <summary>
/// What the request path holds of one account's breaker: the published snapshot (read without
/// waiting) and the address of its <see cref="CircuitBreakerActor{TJob, TStreamMsg}"/>.
/// </summary>
internal abstract class CircuitBreaker
{
    private readonly TimeProvider _time;
    private BreakerSnapshot _snapshot;
    private int _activeStreams;

    private protected CircuitBreaker(string account, TimeProvider time, BreakerOptions options)
    {
        Account = account;
        _time = time;
        _snapshot = new BreakerSnapshot(CircuitState.Closed, 0, time.GetUtcNow(), null, 0, 0, options.HalfOpenRetryAfter);
    }

    public string Account { get; }

    /// <summary>The state as last published (for the request path, /health/detailed and the gauge).</summary>
    public BreakerSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public CircuitState State => Snapshot.State;

    /// <summary>Stream actors under this breaker that have not stopped yet.</summary>
    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    /// <summary>The breaker actor; set once it is spawned.</summary>
    public IActorRef<BreakerCommand> Actor { get; private protected set; } = null!;

    /// <summary>
    /// Asks the published snapshot for a permit, without waiting. On success, report the request's
    /// outcome with the returned <paramref name="epoch"/> (through a stream started with it, or
    /// <see cref="ReportOutcome"/>); on refusal, answer <see cref="BreakerSnapshot.Refusal"/>.
    /// </summary>
    public bool TryAcquirePermit(out long epoch, out TimeSpan retryAfter)
    {
        var snapshot = Snapshot;
        epoch = snapshot.Epoch;
        return snapshot.TryAcquirePermit(_time.GetUtcNow(), out retryAfter);
    }

    /// <summary>Reports how a request admitted in <paramref name="epoch"/> ended (for calls that are not streams).</summary>
    public void ReportOutcome(FailureKind outcome, long epoch) => Actor.Tell(new OutcomeReported(outcome, epoch));

    /// <summary>The snapshot once the breaker has handled everything sent to it before.</summary>
    public Task<BreakerSnapshot> GetSnapshotAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Actor.Ask<BreakerCommand, BreakerSnapshot>(reply => new GetSnapshot(reply), timeout, cancellationToken);

    internal void Publish(BreakerSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    internal void StreamStarted() => Interlocked.Increment(ref _activeStreams);

    internal void StreamEnded() => Interlocked.Decrement(ref _activeStreams);
}

/// <summary>Makes the stream actor of one request; <c>onCompleted</c> must be called once with its outcome.</summary>
internal delegate Func<Actor<TStreamMsg>> StreamActorFactory<in TJob, TStreamMsg>(TJob job, Action<FailureKind> onCompleted);

/// <summary>A breaker whose stream actors take <typeparamref name="TStreamMsg"/> and are made from a <typeparamref name="TJob"/>.</summary>
internal sealed class CircuitBreaker<TJob, TStreamMsg> : CircuitBreaker
{
    private CircuitBreaker(string account, TimeProvider time, BreakerOptions options)
        : base(account, time, options)
    {
    }

    /// <summary>Spawns the breaker of <paramref name="account"/> as a top-level actor of <paramref name="system"/>.</summary>
    public static CircuitBreaker<TJob, TStreamMsg> Start(
        ActorSystem system,
        string account,
        BreakerOptions options,
        StreamActorFactory<TJob, TStreamMsg> streams,
        ResilienceMetrics? metrics = null)
    {
        options.Validate();
        var breaker = new CircuitBreaker<TJob, TStreamMsg>(account, system.Time, options);
        breaker.Actor = system.Spawn(() => new CircuitBreakerActor<TJob, TStreamMsg>(breaker, options, streams, metrics), "breaker-" + account);
        return breaker;
    }

    /// <summary>
    /// Starts the stream actor for <paramref name="job"/> as a child of the breaker, which counts its
    /// outcome against the circuit. Pass the <paramref name="epoch"/> from <see cref="CircuitBreaker.TryAcquirePermit"/>.
    /// </summary>
    public Task<IActorRef<TStreamMsg>> StartStreamAsync(TJob job, long epoch, TimeSpan timeout, CancellationToken cancellationToken) =>
        Actor.Ask<BreakerCommand, IActorRef<TStreamMsg>>(reply => new StartStream<TJob, TStreamMsg>(job, epoch, reply), timeout, cancellationToken);
}
