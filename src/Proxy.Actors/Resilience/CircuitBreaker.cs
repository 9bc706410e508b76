using Akka.Actor;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Resilience;

/// <summary>
/// What the request path holds of one account's breaker: the published snapshot (read without
/// waiting) and the address of its <see cref="CircuitBreakerActor"/>, which is only ever told.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly TimeProvider _time;
    private BreakerSnapshot _snapshot;
    private int _activeStreams;
    private IActorRef _actor = ActorRefs.Nobody;

    public CircuitBreaker(string account, TimeProvider time, BreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Account = account;
        _time = time;
        Options = options.Validate();
        _snapshot = new BreakerSnapshot(CircuitState.Closed, 0, time.GetUtcNow(), null, 0, 0, options.HalfOpenRetryAfter);
    }

    public string Account { get; }

    public BreakerOptions Options { get; }

    /// <summary>The state as last published (for the request path, /health/detailed and the gauge).</summary>
    public BreakerSnapshot Snapshot => Volatile.Read(ref _snapshot);

    public CircuitState State => Snapshot.State;

    /// <summary>Stream actors under this breaker that have not stopped yet.</summary>
    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    /// <summary>The breaker actor; set once it is spawned (<see cref="Start"/>).</summary>
    public IActorRef Actor => Volatile.Read(ref _actor);

    /// <summary>Spawns this breaker's actor in <paramref name="system"/> (named <c>breaker-{account}</c>).</summary>
    public IActorRef Start(IActorRefFactory system, Func<StreamJob, Props> streamProps, Microsoft.Extensions.Logging.ILogger logger, ResilienceMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var actor = system.ActorOf(CircuitBreakerActor.Props(this, Options, streamProps, _time, logger, metrics), "breaker-" + Account);
        Volatile.Write(ref _actor, actor);
        return actor;
    }

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

    /// <summary>
    /// Starts the stream actor for <paramref name="job"/> as a child of the breaker, which counts its
    /// outcome against the circuit; the task completes with that one outcome. Pass the
    /// <paramref name="epoch"/> from <see cref="TryAcquirePermit"/>. One Tell: nothing waits on the breaker.
    /// </summary>
    public Task<StreamOutcome> RunStream(StreamJob job, long epoch)
    {
        var outcome = new TaskCompletionSource<StreamOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        Actor.Tell(new StartStream(job, epoch, outcome), ActorRefs.NoSender);
        return outcome.Task;
    }

    /// <summary>Reports how a request admitted in <paramref name="epoch"/> ended (for calls that are not streams).</summary>
    public void ReportOutcome(FailureKind outcome, long epoch) => Actor.Tell(new OutcomeReported(outcome, epoch), ActorRefs.NoSender);

    /// <summary>The snapshot once the breaker has handled everything sent to it before (tests and diagnostics).</summary>
    public Task<BreakerSnapshot> GetSnapshotAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        Actor.Ask<BreakerSnapshot>(GetSnapshot.Instance, timeout, cancellationToken);

    internal void Publish(BreakerSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    internal void StreamStarted() => Interlocked.Increment(ref _activeStreams);

    internal void StreamEnded() => Interlocked.Decrement(ref _activeStreams);
}
