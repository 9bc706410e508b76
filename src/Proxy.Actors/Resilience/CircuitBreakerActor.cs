using Akka.Actor;
using Microsoft.Extensions.Logging;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Resilience;

/// <summary>
/// One account's circuit breaker, and the parent and supervisor of its stream actors.
/// <list type="bullet">
/// <item>Closed: outcomes of requests admitted in this period are sampled over
/// <see cref="BreakerOptions.FailureWindow"/>. The circuit opens when the window holds at least
/// <see cref="BreakerOptions.MinimumThroughput"/> outcomes and <see cref="BreakerOptions.MaxFailures"/>
/// failures that say the upstream is unhealthy (<see cref="FailureKindExtensions.CountsAgainstBreaker"/>),
/// and those are at least <see cref="BreakerOptions.FailureRatio"/> of all outcomes. A stream that
/// breaks after its first byte is one failure among the others, not a reason on its own.</item>
/// <item>Open: the request path is refused by the snapshot at once; a timer lets a trial through after
/// an exponential, jittered delay.</item>
/// <item>HalfOpen: the snapshot admits exactly one request. Its success closes the circuit, its failure
/// opens it again for longer; an outcome that says nothing about the upstream (client gone, quota,
/// a 4xx) frees the permit for another trial.</item>
/// </list>
/// Each child reports its outcome once (<see cref="StreamEnded"/>); a child that stops without one
/// (it could not even be made) counts as <see cref="FailureKind.StreamInterrupted"/>. A child that
/// throws is stopped, never restarted: it ends its response with an error event as it stops.
/// </summary>
internal sealed class CircuitBreakerActor : ReceiveActor, IWithTimers
{
    private const string TrialTimer = "trial";
    private const string TrialCheckTimer = "trial-check";

    private readonly CircuitBreaker _breaker;
    private readonly BreakerOptions _options;
    private readonly Func<StreamJob, Props> _streamProps;
    private readonly ResilienceMetrics? _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly SamplingWindow _window;
    private readonly Dictionary<IActorRef, Child> _children = [];
    private CircuitState _state;
    private long _epoch;
    private int _openings;
    private long _nextStream;

    public CircuitBreakerActor(CircuitBreaker breaker, BreakerOptions options, Func<StreamJob, Props> streamProps, TimeProvider time, ILogger logger, ResilienceMetrics? metrics)
    {
        _breaker = breaker;
        _options = options;
        _streamProps = streamProps;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _random = options.Randomizer ?? Random.Shared.NextDouble;
        _window = new SamplingWindow(options.FailureWindow);

        Receive<StartStream>(Spawn);
        Receive<StreamEnded>(Ended);
        Receive<Terminated>(Stopped);
        Receive<OutcomeReported>(reported => Record(reported.Outcome, reported.Epoch));
        Receive<TrialDue>(due => due.Epoch == _epoch && _state == CircuitState.Open, _ => HalfOpen("open period over"));
        Receive<TrialCheck>(check => check.Epoch == _epoch && _state == CircuitState.HalfOpen, _ => CheckTrial());
        Receive<TrialDue>(_ => { }); // a timer of an earlier epoch
        Receive<TrialCheck>(_ => { });
        Receive<GetSnapshot>(_ => Sender.Tell(_breaker.Snapshot));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The breaker of <paramref name="breaker"/>'s account.</summary>
    public static Props Props(CircuitBreaker breaker, BreakerOptions options, Func<StreamJob, Props> streamProps, TimeProvider time, ILogger logger, ResilienceMetrics? metrics) =>
        Akka.Actor.Props.Create(() => new CircuitBreakerActor(breaker, options.Validate(), streamProps, time, logger, metrics));

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// A stream that throws is stopped, never restarted into a half-written response; stopping it
    /// runs its PostStop, which ends the response with an error event and reports the outcome.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        // The first start keeps the published epoch: permits taken before this actor ran (the request
        // path reads the snapshot, never the actor) report in it, and their outcomes must count.
        _epoch = _breaker.Snapshot.Epoch;
        _state = CircuitState.Closed;
        Publish();
    }

    protected override void PostRestart(Exception reason)
    {
        // A restarted breaker starts closed, in a new epoch, so stale outcomes cannot close a trial.
        _epoch = _breaker.Snapshot.Epoch + 1;
        _state = CircuitState.Closed;
        Publish();
    }

    protected override void PostStop()
    {
        // The system is going away under open streams (their PostStop already ended the responses):
        // every edge still waiting learns it, so no request hangs on a stopped breaker.
        foreach (var child in _children.Values.Where(c => !c.Reported))
        {
            child.Outcome.TrySetResult(StreamOutcome.Failed(FailureKind.StreamInterrupted, child.Job.Client.HasStarted, "The stream was stopped."));
        }

        _children.Clear();
    }

    private void Spawn(StartStream start)
    {
        IActorRef child;
        try
        {
            child = Context.ActorOf(_streamProps(start.Job), "stream-" + (++_nextStream).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
#pragma warning disable CA1031 // A stream that cannot start fails its own request, not the breaker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            start.Outcome.TrySetException(ex);
            return;
        }

        _children[child] = new Child(start.Epoch, start.Job, start.Outcome);
        _breaker.StreamStarted();
        Context.Watch(child);
    }

    private void Ended(StreamEnded ended)
    {
        if (_children.TryGetValue(Sender, out var child) && !child.Reported)
        {
            child.Reported = true;
            Record(ended.Outcome.Failure, child.Epoch);
            child.Outcome.TrySetResult(ended.Outcome);
        }
    }

    private void Stopped(Terminated terminated)
    {
        if (!_children.Remove(terminated.ActorRef, out var child))
        {
            return;
        }

        _breaker.StreamEnded();
        if (!child.Reported)
        {
            // Stopped before it could report (it failed while being made): nothing was written.
            Record(FailureKind.StreamInterrupted, child.Epoch);
            child.Outcome.TrySetResult(StreamOutcome.Failed(FailureKind.StreamInterrupted, child.Job.Client.HasStarted, "The stream could not be started."));
        }
    }

    private void Record(FailureKind outcome, long epoch)
    {
        if (epoch != _epoch)
        {
            // Admitted before the last change of state: it says nothing of the circuit as it is now.
            return;
        }

        switch (_state)
        {
            case CircuitState.Closed:
                WhenClosed(outcome);
                break;
            case CircuitState.HalfOpen:
                WhenHalfOpen(outcome);
                break;
        }
    }

    private void WhenClosed(FailureKind outcome)
    {
        var now = Now;
        if (outcome == FailureKind.None)
        {
            _window.Add(now, failed: false);
            if (_breaker.Snapshot.RecentFailures != _window.Totals(now).Failures)
            {
                Publish();
            }

            return;
        }

        if (!outcome.CountsAgainstBreaker())
        {
            return;
        }

        _window.Add(now, failed: true);
        var (calls, failures) = _window.Totals(now);
        if (failures >= _options.MaxFailures && calls >= _options.MinimumThroughput && failures >= _options.FailureRatio * calls)
        {
            Open($"{failures} of {calls} outcomes within {_options.FailureWindow} failed, last {outcome}");
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
        _window.Clear();
        Timers.Cancel(TrialCheckTimer);
        Timers.StartSingleTimer(TrialTimer, new TrialDue(_epoch), delay);
        Publish(trialAt: Now + delay);
        Changed(from, reason);
        ResilienceLog.CircuitOpenFor(_logger, _breaker.Account, delay, _openings);
    }

    private void HalfOpen(string reason)
    {
        var from = _state;
        _state = CircuitState.HalfOpen;
        _epoch++;
        Timers.StartSingleTimer(TrialCheckTimer, new TrialCheck(_epoch), _options.TrialTimeout);
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
        _window.Clear();
        Timers.CancelAll();
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
            Timers.StartSingleTimer(TrialCheckTimer, new TrialCheck(_epoch), _options.TrialTimeout - silent);
        }
    }

    private void Publish(DateTimeOffset? trialAt = null)
    {
        var now = Now;
        var failures = _state == CircuitState.Closed ? _window.Totals(now).Failures : 0;
        var since = _breaker.Snapshot.State == _state ? _breaker.Snapshot.Since : now;
        _breaker.Publish(new BreakerSnapshot(_state, _epoch, since, trialAt, failures, _openings, _options.HalfOpenRetryAfter));
    }

    private void Changed(CircuitState from, string reason)
    {
        ResilienceLog.CircuitChanged(_logger, _breaker.Account, from, _state, reason);
        _metrics?.Transitioned(_breaker.Account, _state);
    }

    private sealed class Child(long epoch, StreamJob job, TaskCompletionSource<StreamOutcome> outcome)
    {
        public long Epoch { get; } = epoch;

        public StreamJob Job { get; } = job;

        public TaskCompletionSource<StreamOutcome> Outcome { get; } = outcome;

        public bool Reported { get; set; }
    }
}
