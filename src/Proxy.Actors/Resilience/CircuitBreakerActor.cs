using Proxy.Actors.Runtime;

namespace Proxy.Actors.Resilience;

/// <summary>What an account's breaker actor is told.</summary>
internal abstract record BreakerCommand;

/// <summary>Start the stream actor of one request as a child; reply with its address.</summary>
internal sealed record StartStream<TJob, TStreamMsg>(TJob Job, long Epoch, Reply<IActorRef<TStreamMsg>> Reply) : BreakerCommand;

/// <summary>A request admitted in <paramref name="Epoch"/> ended with <paramref name="Outcome"/> (<see cref="FailureKind.None"/>: success).</summary>
internal sealed record OutcomeReported(FailureKind Outcome, long Epoch) : BreakerCommand;

/// <summary>Reply with the snapshot once every earlier message is handled.</summary>
internal sealed record GetSnapshot(Reply<BreakerSnapshot> Reply) : BreakerCommand;

/// <summary>A child stream reported its outcome.</summary>
internal sealed record StreamFinished(long Stream, FailureKind Outcome) : BreakerCommand;

/// <summary>A child stream stopped (death watch).</summary>
internal sealed record StreamStopped(long Stream) : BreakerCommand;

/// <summary>The open period of <paramref name="Epoch"/> is over: let one trial through.</summary>
internal sealed record TrialDue(long Epoch) : BreakerCommand;

/// <summary>Has the trial of <paramref name="Epoch"/> been silent too long?</summary>
internal sealed record TrialCheck(long Epoch) : BreakerCommand;

/// <summary>
/// One account's circuit breaker, and the parent of its stream actors.
/// <list type="bullet">
/// <item>Closed: failures that say the upstream is unhealthy (<see cref="FailureKindExtensions.CountsAgainstBreaker"/>)
/// are counted within <see cref="BreakerOptions.FailureWindow"/>; a success clears the count;
/// <see cref="BreakerOptions.MaxFailures"/> of them open the circuit.</item>
/// <item>Open: the request path is refused by the snapshot at once; a timer lets a trial through after
/// an exponential, jittered delay.</item>
/// <item>HalfOpen: the snapshot admits exactly one request. Its success closes the circuit, its failure
/// opens it again for longer; an outcome that says nothing about the upstream (client gone, quota,
/// a 4xx) frees the permit for another trial.</item>
/// </list>
/// Stream outcomes arrive through the callback each child is made with, failures after the first
/// byte included; a child that stops without reporting (it crashed: children are stopped on any
/// exception) counts as <see cref="FailureKind.StreamInterrupted"/>. Client cancellations never count.
/// </summary>
internal sealed class CircuitBreakerActor<TJob, TStreamMsg> : Actor<BreakerCommand>
{
    private const string TrialTimer = "trial";
    private const string TrialCheckTimer = "trial-check";

    private readonly CircuitBreaker _breaker;
    private readonly BreakerOptions _options;
    private readonly StreamActorFactory<TJob, TStreamMsg> _streams;
    private readonly ResilienceMetrics? _metrics;
    private readonly Func<double> _random;
    private readonly Queue<DateTimeOffset> _failures = new();
    private readonly Dictionary<long, Child> _children = [];
    private CircuitState _state;
    private long _epoch;
    private int _openings;
    private long _nextStream;

    public CircuitBreakerActor(CircuitBreaker breaker, BreakerOptions options, StreamActorFactory<TJob, TStreamMsg> streams, ResilienceMetrics? metrics)
    {
        _breaker = breaker;
        _options = options;
        _streams = streams;
        _metrics = metrics;
        _random = options.Randomizer ?? Random.Shared.NextDouble;
    }

    protected override SupervisorStrategy SupervisorStrategy => SupervisorStrategy.StoppingStrategy;

    private DateTimeOffset Now => Context.Time.GetUtcNow();

    protected override ValueTask PreStart()
    {
        // A restarted breaker starts closed, in a new epoch, so stale outcomes cannot close a trial.
        _epoch = _breaker.Snapshot.Epoch + 1;
        _state = CircuitState.Closed;
        Publish();
        return default;
    }

    protected override ValueTask Receive(BreakerCommand message)
    {
        switch (message)
        {
            case StartStream<TJob, TStreamMsg> start:
                Spawn(start);
                break;
            case OutcomeReported reported:
                Record(reported.Outcome, reported.Epoch);
                break;
            case StreamFinished finished when _children.TryGetValue(finished.Stream, out var child) && !child.Reported:
                child.Reported = true;
                Record(finished.Outcome, child.Epoch);
                break;
            case StreamStopped stopped when _children.Remove(stopped.Stream, out var child):
                _breaker.StreamEnded();
                if (!child.Reported)
                {
                    Record(FailureKind.StreamInterrupted, child.Epoch);
                }

                break;
            case TrialDue due when _state == CircuitState.Open && due.Epoch == _epoch:
                HalfOpen("open period over");
                break;
            case TrialCheck check when _state == CircuitState.HalfOpen && check.Epoch == _epoch:
                CheckTrial();
                break;
            case GetSnapshot get:
                get.Reply.TrySuccess(_breaker.Snapshot);
                break;
        }

        return default;
    }

    private void Record(FailureKind outcome, long epoch)
    {
        switch (_state)
        {
            case CircuitState.Closed:
                WhenClosed(outcome);
                break;
            case CircuitState.HalfOpen when epoch == _epoch:
                WhenHalfOpen(outcome);
                break;
            default:
                // Open, or a half-open outcome of a request admitted before the trial: no news.
                break;
        }
    }

    private void WhenClosed(FailureKind outcome)
    {
        if (outcome == FailureKind.None)
        {
            if (_failures.Count > 0)
            {
                _failures.Clear();
                Publish();
            }

            return;
        }

        if (!outcome.CountsAgainstBreaker())
        {
            return;
        }

        var now = Now;
        Prune(now);
        _failures.Enqueue(now);
        if (_failures.Count >= _options.MaxFailures)
        {
            Open($"{_failures.Count} failures within {_options.FailureWindow}, last {outcome}");
        }
        else
        {
            Publish();
        }
    }

    private void WhenHalfOpen(FailureKind outcome)
    {
        if (outcome == FailureKind.None)
        {
            Close();
        }
        else if (outcome.CountsAgainstBreaker())
        {
            Open($"trial failed with {outcome}");
        }
        else
        {
            HalfOpen($"trial ended with {outcome}, which says nothing of the upstream");
        }
    }

    private void Open(string reason)
    {
        var from = _state;
        _openings++;
        var delay = BreakerBackoff.Delay(_openings, _options, _random());
        _state = CircuitState.Open;
        _epoch++;
        _failures.Clear();
        Context.Timers.Cancel(TrialCheckTimer);
        Context.Timers.StartSingleTimer(TrialTimer, new TrialDue(_epoch), delay);
        Publish(trialAt: Now + delay);
        Changed(from, reason);
        ResilienceLog.CircuitOpenFor(Context.Log, _breaker.Account, delay, _openings);
    }

    private void HalfOpen(string reason)
    {
        var from = _state;
        _state = CircuitState.HalfOpen;
        _epoch++;
        Context.Timers.StartSingleTimer(TrialCheckTimer, new TrialCheck(_epoch), _options.TrialTimeout);
        Publish();
        if (from != CircuitState.HalfOpen)
        {
            Changed(from, reason);
        }
    }

    private void Close()
    {
        var from = _state;
        _state = CircuitState.Closed;
        _epoch++;
        _openings = 0;
        _failures.Clear();
        Context.Timers.CancelAll();
        Publish();
        Changed(from, "trial succeeded");
    }

    private void CheckTrial()
    {
        var takenAt = _breaker.Snapshot.TrialTakenAt;
        var silent = takenAt is { } at ? Now - at : TimeSpan.Zero;
        if (silent >= _options.TrialTimeout)
        {
            Open($"trial silent for {silent}");
        }
        else
        {
            Context.Timers.StartSingleTimer(TrialCheckTimer, new TrialCheck(_epoch), _options.TrialTimeout - silent);
        }
    }

    private void Spawn(StartStream<TJob, TStreamMsg> start)
    {
        var id = ++_nextStream;
        IActorRef<TStreamMsg> child;
        try
        {
            var report = new OnceReport(Self, id);
            child = Context.Spawn(_streams(start.Job, report.Invoke), "stream-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
#pragma warning disable CA1031 // A stream that cannot start fails its own request, not the breaker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            start.Reply.TryFailure(ex);
            return;
        }

        _children[id] = new Child(start.Epoch);
        _breaker.StreamStarted();
        Context.Watch(child, new StreamStopped(id));
        start.Reply.TrySuccess(child);
    }

    private void Prune(DateTimeOffset now)
    {
        while (_failures.TryPeek(out var oldest) && now - oldest >= _options.FailureWindow)
        {
            _failures.Dequeue();
        }
    }

    private void Publish(DateTimeOffset? trialAt = null)
    {
        var now = Now;
        if (_state == CircuitState.Closed)
        {
            Prune(now);
        }

        var since = _breaker.Snapshot.State == _state ? _breaker.Snapshot.Since : now;
        _breaker.Publish(new BreakerSnapshot(_state, _epoch, since, trialAt, _failures.Count, _openings, _options.HalfOpenRetryAfter));
    }

    private void Changed(CircuitState from, string reason)
    {
        ResilienceLog.CircuitChanged(Context.Log, _breaker.Account, from, _state, reason);
        _metrics?.Transitioned(_breaker.Account, _state);
    }

    private sealed class Child(long epoch)
    {
        public long Epoch { get; } = epoch;

        public bool Reported { get; set; }
    }

    /// <summary>The callback a stream is made with: passes its first outcome on, ignores any later one.</summary>
    private sealed class OnceReport(IActorRef<BreakerCommand> breaker, long stream)
    {
        private int _reported;

        public void Invoke(FailureKind outcome)
        {
            if (Interlocked.Exchange(ref _reported, 1) == 0)
            {
                breaker.Tell(new StreamFinished(stream, outcome));
            }
        }
    }
}
