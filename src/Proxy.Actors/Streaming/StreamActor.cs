using System.Buffers;
using System.IO.Pipelines;
using Akka.Actor;
using Akka.Dispatch;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>
/// One streaming request, a child of its account's <see cref="CircuitBreakerActor"/>. One behaviour
/// per state of <see cref="StreamState"/>:
/// <list type="bullet">
/// <item>Initial: the upstream is opened (through the retry pipeline, until its first event); the
/// opening ends as a message (<c>PipeTo</c>).</item>
/// <item>Recovering: an attempt failed; before anything reached the client it is retried, after
/// that the failure is reported in-band.</item>
/// <item>Stuttering: events flow while the repair still weighs evidence of cumulative content.</item>
/// <item>NormalFlow: events pass straight through.</item>
/// <item>Terminating: what is held is flushed, the stream ends with <c>[DONE]</c> or an error event,
/// everything is released and the outcome is reported to the parent exactly once.</item>
/// </list>
/// The upstream body is read on this actor's demand (<see cref="UpstreamReader"/>): the next read
/// starts when an event has been written, and a flush the client is slow to take holds the mailbox,
/// so a slow client slows the upstream read and nothing buffers a whole stream. This actor is the
/// only writer of the client's response; no task outside it changes its fields.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop, its end of life.")]
internal sealed class StreamActor : UntypedActor, IWithTimers
{
    private const string CheckTimer = "check";
    private const string HoldTimer = "hold";
    private const int MaxUnflushedBytes = 16 * 1024;

    private readonly StreamJob _job;
    private readonly StreamOptions _options;
    private readonly StutterRepair? _repair;
    private readonly SseFrameWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly long _started;
    private readonly CancellationTokenSource _lifetime = new();

    private StreamState _state = StreamState.Initial;
    private IActorRef _self = ActorRefs.Nobody;
    private UpstreamOpening? _opening;
    private UpstreamReader? _reader;
    private CancellationTokenRegistration _abortRegistration;
    private CancellationTokenRegistration _drainRegistration;

    // When the pending upstream read began (0 while none is pending): upstream silence is measured
    // from here, so a slow client is never taken for a silent upstream.
    private long _upstreamWaitSince;
    private long _lastClientWriteAt;
    private long _flushedBytes;
    private int _attempts = 1;
    private int _malformed;
    private int _upstreamStatus;
    private bool _finishSeen;
    private bool _upstreamError;
    private bool _reported;
    private TimeSpan? _timeToFirstToken;
    private CompletionSummary? _summary;

    public StreamActor(StreamJob job, TimeProvider time, ILogger log)
    {
        _job = job;
        _options = job.Options;
        _time = time;
        _log = log;
        _started = _time.GetTimestamp();
        _lastClientWriteAt = _started;
        _repair = _options.RepairEnabled ? new StutterRepair(_options.Repair) : null;
        _writer = new SseFrameWriter(job.Client.Writer, job.Translator);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The state the actor is in (for tests and logs).</summary>
    internal StreamState State => _state;

    private TimeSpan Now => _time.GetElapsedTime(_started);

    /// <summary>The stream actor of <paramref name="job"/>.</summary>
    /// <remarks>
    /// Made by a producer rather than <c>Props.Create(() => new StreamActor(...))</c>: that form builds
    /// an expression tree and reads its arguments back by reflection on every call, once per request.
    /// </remarks>
    public static Props Props(StreamJob job, TimeProvider time, ILogger log) =>
        Akka.Actor.Props.CreateBy(new Producer(job, time, log), typeof(StreamActor));

    protected override void PreStart()
    {
        _self = Self; // for the disconnect callback, which runs outside the actor
        _abortRegistration = _job.RequestAborted.UnsafeRegister(static state => ((StreamActor)state!).OnClientAborted(), this);
        if (_job.Draining.CanBeCanceled)
        {
            var self = Self;
            _drainRegistration = _job.Draining.UnsafeRegister(static state => ((IActorRef)state!).Tell(Signal.Draining, ActorRefs.NoSender), self);
        }

        Timers.StartPeriodicTimer(CheckTimer, Signal.Tick, _options.CheckInterval);
        OpenAsync(Self, _lifetime.Token).PipeTo(Self);
    }

    protected override void PostStop()
    {
        _abortRegistration.Dispose();
        _drainRegistration.Dispose();
        _lifetime.Cancel();
        _reader?.Abandon();
        _reader = null;
        if (!_reported)
        {
            // Stopped without terminating (it threw, or the system is shutting down): the client
            // still learns that the stream broke (the host sends what is written when the request
            // ends), and the outcome is still reported once.
            var failure = _job.RequestAborted.IsCancellationRequested ? FailureKind.ClientCanceled : FailureKind.StreamInterrupted;
            const string Message = "The stream was stopped.";
            if (failure != FailureKind.ClientCanceled && _job.Client.HasStarted && !_writer.Ended)
            {
                _repair?.Complete(_writer);
                _writer.WriteError(failure, Message, failure.ToErrorCode());
            }

            Report(failure, Message, null, null);
        }

        _opening?.Dispose();
        _opening = null;
        _repair?.Complete(NullSink.Instance);
        _lifetime.Dispose();
    }

    // ---- behaviours -------------------------------------------------------------------------
    // An untyped actor: a behaviour is one method with a switch. A ReceiveActor builds a table of
    // handlers for each instance and again at each Become, and there is one stream actor per request.
    // Initial starts in Opening; Recovering is Opening before the first byte and Ending after it;
    // Stuttering and NormalFlow are Flowing; Terminating is Ending (see Transition).

    protected override void OnReceive(object message) => Opening(message);

    // Initial and Recovering before the first byte: waiting for the opening phase to end.
    private void Opening(object message)
    {
        switch (message)
        {
            case Retrying:
                _attempts++;
                Transition(StreamState.Recovering, "retrying before the first byte");
                break;
            case AttemptFailed failed:
                Transition(StreamState.Recovering, "attempt failed: " + failed.Failure);
                break;
            case UpstreamOpening opening:
                Opened(opening);
                break;
            case Signal signal when signal == Signal.Tick:
                if (_time.GetElapsedTime(_started) > _options.StreamTimeout)
                {
                    Terminate(FailureKind.UpstreamTimeout, "The upstream did not start the stream in time.");
                }

                break;
            default:
                Otherwise(message, "The server is shutting down.");
                break;
        }
    }

    // Stuttering and NormalFlow: the response has started.
    private void Flowing(object message)
    {
        switch (message)
        {
            case ReadCompleted:
                ReadAvailable();
                break;
            case Signal signal when signal == Signal.Tick:
                CheckSilence();
                break;
            case Signal signal when signal == Signal.HoldDue:
                _repair?.Tick(Now, _writer);
                AfterWrite();
                FlushIfUnflushed();
                break;
            default:
                Otherwise(message, "The server is shutting down; the stream was ended early.");
                break;
        }
    }

    /// <summary>
    /// What a live behaviour does with the rest: the client leaving, the server draining (the stream
    /// ends with <paramref name="drained"/>), a signal it has no use for (dropped), anything else (unhandled).
    /// </summary>
    private void Otherwise(object message, string drained)
    {
        if (message == Signal.ClientAborted)
        {
            Terminate(FailureKind.ClientCanceled, null);
        }
        else if (message == Signal.Draining)
        {
            Terminate(FailureKind.ShuttingDown, drained);
        }
        else if (message is not Signal)
        {
            Unhandled(message);
        }
    }

    // Terminating: only what must be released is looked at.
    private static void Ending(object message)
    {
        if (message is UpstreamOpening opening)
        {
            opening.Dispose();
        }
    }

    private void OnClientAborted()
    {
        // Cancel the upstream call and its body at once, from the disconnect itself; then let the actor finish.
        _lifetime.Cancel();
        _self.Tell(Signal.ClientAborted, ActorRefs.NoSender);
    }

    /// <summary>The opening phase, as one task whose result comes back as a message. It tells the
    /// actor about retries, and touches none of its fields.</summary>
    private async Task<UpstreamOpening> OpenAsync(IActorRef self, CancellationToken lifetime)
    {
        var job = _job;
        var time = _time;
        try
        {
            var attempt = 0;
            async ValueTask<UpstreamOpening> Attempt(CancellationToken token)
            {
                if (++attempt > 1)
                {
                    self.Tell(Retrying.Instance, ActorRefs.NoSender);
                }

                var opening = await UpstreamOpening.AttemptAsync(job.Open, job.Options.FirstByteTimeout, time, token, lifetime).ConfigureAwait(false);
                if (!opening.IsOpen)
                {
                    self.Tell(new AttemptFailed(opening.Failure), ActorRefs.NoSender);
                }

                return opening;
            }

            var result = job.Retry is null
                ? await Attempt(lifetime).ConfigureAwait(false)
                : await job.Retry.ExecuteAsync(static (attempt, token) => attempt(token), (Func<CancellationToken, ValueTask<UpstreamOpening>>)Attempt, lifetime).ConfigureAwait(false);
            if (lifetime.IsCancellationRequested)
            {
                // Ended meanwhile: the answer is nobody's, and its connection is released here.
                result.Dispose();
                return UpstreamOpening.Failed(UpstreamResult.Fail(FailureKind.ClientCanceled, 0, "The stream ended before the upstream answered."));
            }

            return result;
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return UpstreamOpening.Failed(UpstreamResult.Fail(FailureKind.ClientCanceled, 0, "The stream ended before the upstream answered."));
        }
        catch (TimeoutRejectedException)
        {
            return UpstreamOpening.Failed(UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer within the retry budget."));
        }
        catch (Exception ex)
        {
            return UpstreamOpening.Failed(ErrorClassifier.Classify(ex, lifetime));
        }
    }

    private void Opened(UpstreamOpening opening)
    {
        if (!opening.IsOpen)
        {
            var failed = opening.Result;
            opening.Dispose();
            _upstreamStatus = failed.StatusCode;
            Terminate(failed.Failure, failed.Message, failed.Code, failed.RetryAfter);
            return;
        }

        _opening = opening;
        _upstreamStatus = opening.Result.StatusCode;
        _job.Client.Start();
        Transition(_repair is null ? StreamState.NormalFlow : StreamState.Stuttering, "first event");
        var (events, reads) = opening.HandOver();
        _reader = new UpstreamReader(events, reads, Self);

        var first = opening.TakeFirst(); // ours now: returned to the pool once written
        if (first.IsDone)
        {
            Terminate(FailureKind.None, null);
            return;
        }

        if (Forward(first))
        {
            Continue();
        }
    }

    // ---- flowing ----------------------------------------------------------------------------

    /// <summary>
    /// Takes the finished read and every further event already in hand, up to a mailbox's worth
    /// (then other messages get their turn) or <see cref="MaxUnflushedBytes"/>; one flush for all.
    /// </summary>
    private void ReadAvailable()
    {
        _upstreamWaitSince = 0;
        var budget = _options.MailboxCapacity;
        while (true)
        {
            bool more;
            EventBytes data;
            try
            {
                more = _reader!.Take(out data);
            }
#pragma warning disable CA1031 // Any failure of the body is the upstream's: it ends the stream in-band.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Transition(StreamState.Recovering, "upstream read failed: " + ex.GetType().Name);
                Terminate(FailureKind.StreamInterrupted, "The upstream connection broke during the stream.");
                return;
            }

            if (!more)
            {
                if (_finishSeen)
                {
                    Terminate(FailureKind.None, null);
                }
                else
                {
                    Transition(StreamState.Recovering, "upstream ended before a finish reason");
                    Terminate(FailureKind.StreamInterrupted, "The upstream ended the stream before it was complete.");
                }

                return;
            }

            if (data.IsDone)
            {
                Terminate(FailureKind.None, null);
                return;
            }

            if (!Forward(data))
            {
                return;
            }

            if (_writer.BytesOut - _flushedBytes >= MaxUnflushedBytes)
            {
                // A full buffer: it goes out before the next read starts.
                Flush(thenContinue: true);
                return;
            }

            if (!_reader.Start())
            {
                // Nothing more in hand: the read waits on the upstream while this flush goes out.
                _upstreamWaitSince = Math.Max(1, _time.GetTimestamp());
                Flush(thenContinue: false);
                return;
            }

            if (--budget == 0)
            {
                // A mailbox's worth in a row: the next one is taken by message, so ticks and aborts get their turn.
                Self.Tell(ReadCompleted.Instance, ActorRefs.NoSender);
                Flush(thenContinue: false);
                return;
            }
        }
    }

    /// <summary>Writes one event (through the repair); false when it ended the stream.</summary>
    private bool Forward(EventBytes data)
    {
        try
        {
            var payload = data.Array!.AsSpan(0, data.Length);
            if (!ChunkInspector.TryInspect(payload, out var info))
            {
                // Not JSON: passed on unchanged rather than dropped. The client sees what the
                // upstream sent, in its place, and nothing is lost while the stream still ends
                // with [DONE]; the repair keeps it behind any text it holds.
                _malformed++;
                StreamLog.Malformed(_log, _job.RequestId, _malformed);
                info = default;
            }

            if ((info.Flags & ChunkFlags.FinishReason) != 0)
            {
                _finishSeen = true;
            }

            if ((info.Flags & (ChunkFlags.FinishReason | ChunkFlags.Usage)) != 0)
            {
                // Only these chunks (one or two a stream) are read again, for the model, finish reasons and usage.
                (_summary ??= new CompletionSummary()).Read(payload);
            }

            if ((info.Flags & ChunkFlags.Error) != 0)
            {
                // The upstream's own error event goes out as it came and ends the stream (no [DONE]).
                _upstreamError = true;
            }

            if (_repair is null)
            {
                _writer.WriteEvent(payload);
            }
            else
            {
                _repair.Process(payload, info, Now, _writer);
            }

            AfterWrite();
        }
        finally
        {
            data.Return();
        }

        if (_upstreamError)
        {
            _writer.MarkEnded();
            Transition(StreamState.Recovering, "upstream error event");
            Terminate(FailureKind.StreamInterrupted, "The upstream reported an error during the stream.", "upstream_error_event");
            return false;
        }

        return true;
    }

    private void AfterWrite()
    {
        if (_timeToFirstToken is null && _writer.EventsOut > 0)
        {
            _timeToFirstToken = _time.GetElapsedTime(_started);
        }

        if (_repair is null)
        {
            return;
        }

        if (_state == StreamState.Stuttering && _repair.Mode is RepairMode.PassThrough or RepairMode.Disabled)
        {
            Transition(StreamState.NormalFlow, _repair.LastReason);
        }

        if (_repair.HoldDeadline is { } due)
        {
            if (!Timers.IsTimerActive(HoldTimer))
            {
                var wait = due - Now;
                Timers.StartSingleTimer(HoldTimer, Signal.HoldDue, wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            }
        }
        else if (Timers.IsTimerActive(HoldTimer))
        {
            Timers.Cancel(HoldTimer);
        }
    }

    /// <summary>Starts the next read; one that finished at once is taken by message, the others tell when they finish.</summary>
    private void Continue()
    {
        if (_reader!.Start())
        {
            Self.Tell(ReadCompleted.Instance, ActorRefs.NoSender);
            Flush(thenContinue: false);
        }
        else
        {
            _upstreamWaitSince = Math.Max(1, _time.GetTimestamp());
            Flush(thenContinue: false);
        }
    }

    private void CheckSilence()
    {
        var now = _time.GetTimestamp();
        if (_upstreamWaitSince != 0 && _time.GetElapsedTime(_upstreamWaitSince, now) > _options.ReadTimeout)
        {
            Transition(StreamState.Recovering, "upstream silent");
            Terminate(FailureKind.StreamStalled, $"The upstream sent nothing for {_options.ReadTimeout.TotalSeconds:0} s.");
            return;
        }

        if (_time.GetElapsedTime(_started, now) > _options.StreamTimeout)
        {
            Terminate(FailureKind.UpstreamTimeout, "The stream exceeded its deadline.");
            return;
        }

        if (_options.KeepAliveInterval > TimeSpan.Zero && _time.GetElapsedTime(_lastClientWriteAt, now) >= _options.KeepAliveInterval)
        {
            _writer.WriteKeepAlive();
            Flush(thenContinue: false);
        }
    }

    private void FlushIfUnflushed()
    {
        if (_writer.BytesOut > _flushedBytes)
        {
            Flush(thenContinue: false);
        }
    }

    /// <summary>
    /// Sends what is written. A client that takes it at once costs nothing more; a slow one holds
    /// this actor's mailbox until it has (that is the back-pressure on the upstream read).
    /// </summary>
    private void Flush(bool thenContinue)
    {
        _flushedBytes = _writer.BytesOut;
        ValueTask<FlushResult> pending;
        try
        {
            pending = _job.Client.Writer.FlushAsync(_lifetime.Token);
        }
        catch (Exception ex) when (IsClientGone(ex))
        {
            Terminate(FailureKind.ClientCanceled, null);
            return;
        }

        if (pending.IsCompleted)
        {
            Flushed(ClientGone(pending), thenContinue);
            return;
        }

        ActorTaskScheduler.RunTask(async () =>
        {
            bool gone;
            try
            {
                var result = await pending;
                gone = result.IsCanceled || result.IsCompleted;
            }
            catch (Exception ex) when (IsClientGone(ex))
            {
                gone = true;
            }

            Flushed(gone, thenContinue);
        });
    }

    private static bool ClientGone(ValueTask<FlushResult> completed)
    {
        try
        {
            var result = completed.GetAwaiter().GetResult();
            return result.IsCanceled || result.IsCompleted;
        }
        catch (Exception ex) when (IsClientGone(ex))
        {
            return true;
        }
    }

    private void Flushed(bool clientGone, bool thenContinue)
    {
        _lastClientWriteAt = _time.GetTimestamp();
        if (clientGone)
        {
            Terminate(FailureKind.ClientCanceled, null);
        }
        else if (thenContinue && _state != StreamState.Terminating)
        {
            Continue();
        }
    }

    // ---- terminating ------------------------------------------------------------------------

    private void Terminate(FailureKind failure, string? message, string? code = null, TimeSpan? retryAfter = null)
    {
        if (_state == StreamState.Terminating)
        {
            return;
        }

        Transition(StreamState.Terminating, failure == FailureKind.None ? "done" : failure.ToString());
        Timers.CancelAll();
        _lifetime.Cancel(); // stops the upstream call and its body
        _reader?.Abandon();
        _reader = null;
        ActorTaskScheduler.RunTask(async () =>
        {
            var ended = await EndResponseAsync(failure, message, code);
            Report(ended, message, code, retryAfter);
            Context.Stop(Self);
        });
    }

    /// <summary>
    /// Ends a started response: what is held goes out first (nothing is ever lost), then <c>[DONE]</c>
    /// for a success or the error event for a failure. A response not started is left to the caller.
    /// </summary>
    private async Task<FailureKind> EndResponseAsync(FailureKind failure, string? message, string? code)
    {
        if (failure == FailureKind.ClientCanceled || !_job.Client.HasStarted || _writer.Ended)
        {
            return failure;
        }

        try
        {
            _repair?.Complete(_writer);
            if (failure == FailureKind.None)
            {
                _writer.WriteDone();
            }
            else
            {
                _writer.WriteError(failure, message ?? failure.ToString(), code ?? failure.ToErrorCode());
            }

            var result = await _job.Client.Writer.FlushAsync(_job.RequestAborted);
            return result.IsCanceled ? FailureKind.ClientCanceled : failure;
        }
        catch (Exception ex) when (IsClientGone(ex))
        {
            return FailureKind.ClientCanceled;
        }
    }

    private void Report(FailureKind failure, string? message, string? code, TimeSpan? retryAfter)
    {
        if (_reported)
        {
            return;
        }

        _reported = true;
        var outcome = new StreamOutcome(
            failure,
            _job.Client.HasStarted,
            _upstreamStatus,
            message,
            code,
            retryAfter,
            _writer.EventsOut,
            _writer.BytesOut,
            _timeToFirstToken,
            _repair?.Repairs ?? 0,
            _malformed,
            _attempts)
        {
            Summary = _summary,
        };
        StreamLog.Completed(_log, _job.RequestId, failure, outcome.EventsOut, outcome.Repairs, outcome.Attempts);
        Context.Parent.Tell(new StreamEnded(outcome), Self);
    }

    private void Transition(StreamState next, string reason)
    {
        if (next == _state)
        {
            return;
        }

        StreamLog.Transition(_log, _job.RequestId, _state, next, reason);
        _state = next;
        switch (next)
        {
            case StreamState.Initial:
                Become(Opening);
                break;
            case StreamState.Recovering:
                // After the first byte, recovering is telling the client, on the way out.
                Become(_job.Client.HasStarted ? Ending : Opening);
                break;
            case StreamState.Stuttering:
            case StreamState.NormalFlow:
                Become(Flowing);
                break;
            default:
                Become(Ending);
                break;
        }
    }

    private static bool IsClientGone(Exception ex) => ex is OperationCanceledException or IOException or InvalidOperationException or ObjectDisposedException;

    /// <summary>A pending upstream read finished (see <see cref="UpstreamReader"/>).</summary>
    internal sealed class ReadCompleted
    {
        public static readonly ReadCompleted Instance = new();

        private ReadCompleted()
        {
        }
    }

    /// <summary>Timers and outside events; one instance each, so none costs an allocation.</summary>
    private sealed class Signal
    {
        public static readonly Signal Tick = new("tick");
        public static readonly Signal HoldDue = new("hold due");
        public static readonly Signal ClientAborted = new("client aborted");
        public static readonly Signal Draining = new("draining");

        private readonly string _name;

        private Signal(string name) => _name = name;

        public override string ToString() => _name;
    }

    /// <summary>A further attempt of the opening phase started.</summary>
    private sealed class Retrying
    {
        public static readonly Retrying Instance = new();
    }

    /// <summary>An attempt of the opening phase failed.</summary>
    private sealed record AttemptFailed(FailureKind Failure);

    /// <summary>Makes the actor of one job, without reflection.</summary>
    private sealed class Producer(StreamJob job, TimeProvider time, ILogger log) : IIndirectActorProducer
    {
        public Type ActorType => typeof(StreamActor);

        public ActorBase Produce() => new StreamActor(job, time, log);

        public void Release(ActorBase actor)
        {
        }
    }

    private sealed class NullSink : IEventSink
    {
        public static readonly NullSink Instance = new();

        public void WriteEvent(ReadOnlySpan<byte> payload)
        {
        }
    }
}
