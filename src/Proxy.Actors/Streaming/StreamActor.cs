using System.Buffers;
using System.Net.ServerSentEvents;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using Proxy.Actors.Resilience;
using Proxy.Actors.Runtime;

namespace Proxy.Actors.Streaming;

/// <summary>
/// One streaming request. Behaviours are the states of <see cref="StreamState"/>:
/// <list type="bullet">
/// <item>Initial: the upstream is opened (through the retry pipeline, until its first event).</item>
/// <item>Recovering: an attempt failed; before anything reached the client it is retried, after
/// that the failure is reported in-band.</item>
/// <item>Stuttering: events flow while the repair still weighs evidence of cumulative content.</item>
/// <item>NormalFlow: events pass straight through.</item>
/// <item>Terminating: what is held is flushed, the stream ends with <c>[DONE]</c> or an error event,
/// everything is released and the outcome is reported exactly once.</item>
/// </list>
/// A reader task parses the upstream body with <see cref="SseParser"/> and sends each event into this
/// actor, at most <see cref="StreamOptions.MailboxCapacity"/> ahead of what was written, so a slow
/// client slows the upstream read. This actor is the only writer of the client's response.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop, its end of life.")]
internal sealed class StreamActor : Actor<StreamMessage>
{
    private const string CheckTimer = "check";
    private const string HoldTimer = "hold";
    private const int MaxUnflushedBytes = 16 * 1024;
    private static long s_streams;

    private readonly StreamJob _job;
    private readonly StreamRun _run;
    private readonly StreamOptions _options;
    private readonly StutterRepair? _repair;
    private readonly SseFrameWriter _writer;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationTokenSource _lifetime = new();

    // Read-ahead credits: the reader takes one per event, the actor gives it back once the event is
    // written. This bounds the read-ahead whatever mailbox the parent spawned the actor with.
    private readonly SemaphoreSlim _credits;
    private StreamState _state = StreamState.Initial;
    private UpstreamOpening? _opening;
    private CancellationTokenRegistration _abortRegistration;
    private CancellationTokenRegistration _drainRegistration;

    // Set by the reader while it waits on the upstream (0 while it delivers): upstream silence is
    // measured from here, so a slow client is never taken for a silent upstream.
    private long _upstreamWaitSince;
    private long _lastClientWriteAt;
    private long _flushedBytes;
    private int _eventsSinceFlush;
    private int _attempts;
    private int _malformed;
    private bool _finishSeen;
    private bool _upstreamError;
    private TimeSpan? _timeToFirstToken;
    private CompletionSummary? _summary;

    private StreamActor(StreamJob job, StreamRun run)
    {
        _job = job;
        _run = run;
        _options = job.Options;
        _time = Context.Time;
        _started = _time.GetTimestamp();
        _lastClientWriteAt = _started;
        _credits = new SemaphoreSlim(Math.Max(1, _options.MailboxCapacity));
        _repair = _options.RepairEnabled ? new StutterRepair(_options.Repair) : null;
        _writer = new SseFrameWriter(job.Client.Writer, job.Translator);
    }

    /// <summary>The state the actor is in (for tests and logs).</summary>
    internal StreamState State => _state;

    /// <summary>Makes a stream actor for <paramref name="job"/>; <paramref name="onCompleted"/> is called exactly once.</summary>
    public static Func<Actor<StreamMessage>> Create(StreamJob job, Action<StreamOutcome> onCompleted)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(onCompleted);
        var run = new StreamRun(onCompleted);
        return () => new StreamActor(job, run);
    }

    /// <summary>The mailbox a stream actor is best spawned with (bounded: back-pressure on every message).</summary>
    public static MailboxOptions Mailbox(StreamJob job) => MailboxOptions.Bounded(job.Options.MailboxCapacity);

    /// <summary>A unique child name for a stream.</summary>
    public static string NameFor(StreamJob job) => "stream-" + Interlocked.Increment(ref s_streams).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="job"/> as a top-level actor of <paramref name="system"/> and waits for its outcome.</summary>
    public static Task<StreamOutcome> RunAsync(ActorSystem system, StreamJob job)
    {
        ArgumentNullException.ThrowIfNull(system);
        var done = new TaskCompletionSource<StreamOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.Spawn(Create(job, outcome => done.TrySetResult(outcome)), NameFor(job), Mailbox(job));
        return done.Task;
    }

    protected override ValueTask PreStart()
    {
        if (!_run.TryStart(this))
        {
            // A replacement after a failure: a stream cannot be resumed, and the failed instance has
            // already ended the response and reported.
            Context.Stop();
            return default;
        }

        _abortRegistration = _job.RequestAborted.UnsafeRegister(static state => ((StreamActor)state!).OnClientAborted(), this);
        if (_job.Draining.CanBeCanceled)
        {
            _drainRegistration = _job.Draining.UnsafeRegister(static state => ((StreamActor)state!).Self.Tell(StreamMessage.Of(StreamSignal.Draining)), this);
        }

        Context.Timers.StartPeriodicTimer(CheckTimer, StreamMessage.Of(StreamSignal.Tick), _options.CheckInterval);
        _ = OpenAsync(_lifetime.Token);
        return default;
    }

    protected override async ValueTask PostStop()
    {
        await _abortRegistration.DisposeAsync().ConfigureAwait(false);
        await _drainRegistration.DisposeAsync().ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (!_run.Reported && _run.Owner == this)
        {
            // Stopped without terminating (a failure, or the system shutting down): the client still
            // learns that the stream broke, and the outcome is still reported once.
            var failure = _job.RequestAborted.IsCancellationRequested ? FailureKind.ClientCanceled : FailureKind.StreamInterrupted;
            await EndResponseAsync(failure, "The stream was stopped.", null).ConfigureAwait(false);
            Report(failure, 0, "The stream was stopped.", null, null);
        }

        _opening?.Dispose();
        _opening = null;
        _repair?.Complete(NullSink.Instance);
        _lifetime.Dispose();
    }

    protected override ValueTask Receive(StreamMessage message) => Opening(message);

    private void OnClientAborted()
    {
        // Cancel the upstream call and its body at once, from the disconnect itself; then let the actor finish.
        _lifetime.Cancel();
        Self.Tell(StreamMessage.Of(StreamSignal.ClientAborted));
    }

    private async Task OpenAsync(CancellationToken lifetime)
    {
        var self = Self;
        UpstreamOpening opening;
        try
        {
            opening = _job.Retry is null
                ? await AttemptAsync(lifetime, lifetime).ConfigureAwait(false)
                : await _job.Retry.ExecuteAsync(
                    static (state, token) => state.Actor.AttemptAsync(token, state.Lifetime),
                    (Actor: this, Lifetime: lifetime),
                    lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return; // the client went away or the stream ended; the actor already knows
        }
        catch (TimeoutRejectedException)
        {
            opening = UpstreamOpening.Failed(UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer within the retry budget."));
        }
        catch (Exception ex)
        {
            opening = UpstreamOpening.Failed(ErrorClassifier.Classify(ex, lifetime));
        }

        try
        {
            await self.SendAsync(StreamMessage.Of(StreamSignal.Opened, opening), lifetime).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ActorStoppedException)
        {
            opening.Dispose();
        }
    }

    private async ValueTask<UpstreamOpening> AttemptAsync(CancellationToken attemptToken, CancellationToken lifetime)
    {
        if (Interlocked.Increment(ref _attempts) > 1)
        {
            Self.Tell(StreamMessage.Of(StreamSignal.Retrying));
        }

        var opening = await UpstreamOpening.AttemptAsync(_job.Open, _options.FirstByteTimeout, _time, attemptToken, lifetime).ConfigureAwait(false);
        if (!opening.IsOpen)
        {
            Self.Tell(StreamMessage.Of(StreamSignal.AttemptFailed, opening.Failure));
        }

        return opening;
    }

    // Initial and Recovering (before the first byte): waiting for the opening phase to end.
    private async ValueTask Opening(StreamMessage message)
    {
        switch (message.Signal)
        {
            case StreamSignal.AttemptFailed:
                Transition(StreamState.Recovering, "attempt failed: " + message.Payload);
                break;
            case StreamSignal.Retrying:
                Transition(StreamState.Recovering, "retrying before the first byte");
                break;
            case StreamSignal.Opened:
                await OpenedAsync((UpstreamOpening)message.Payload!).ConfigureAwait(false);
                break;
            case StreamSignal.Tick:
                if (_time.GetElapsedTime(_started) > _options.StreamTimeout)
                {
                    await TerminateAsync(FailureKind.UpstreamTimeout, 0, "The upstream did not start the stream in time.", null, null).ConfigureAwait(false);
                }

                break;
            case StreamSignal.ClientAborted:
                await TerminateAsync(FailureKind.ClientCanceled, 0, null, null, null).ConfigureAwait(false);
                break;
            case StreamSignal.Draining:
                await TerminateAsync(FailureKind.ShuttingDown, 0, "The server is shutting down.", null, null).ConfigureAwait(false);
                break;
            default:
                Discard(message);
                break;
        }
    }

    private async ValueTask OpenedAsync(UpstreamOpening opening)
    {
        if (!opening.IsOpen)
        {
            var failed = opening.Result;
            opening.Dispose();
            await TerminateAsync(failed.Failure, failed.StatusCode, failed.Message, failed.Code, failed.RetryAfter).ConfigureAwait(false);
            return;
        }

        _opening = opening;
        _job.Client.Start();
        Transition(_repair is null ? StreamState.NormalFlow : StreamState.Stuttering, "first event");
        Become(Flowing);
        var (events, reads) = opening.HandOver();
        _ = PumpAsync(events, reads);

        var first = opening.TakeFirst(); // ours now: returned to the pool once written
        if (first.IsDone)
        {
            await TerminateAsync(FailureKind.None, 0, null, null, null).ConfigureAwait(false);
            return;
        }

        Forward(first.Array!, first.Length);
        if (_upstreamError)
        {
            await EndWithUpstreamErrorAsync().ConfigureAwait(false);
            return;
        }

        await FlushIfIdleAsync().ConfigureAwait(false);
    }

    private async ValueTask EndWithUpstreamErrorAsync()
    {
        _writer.MarkEnded();
        Transition(StreamState.Recovering, "upstream error event");
        await TerminateAsync(FailureKind.StreamInterrupted, 0, "The upstream reported an error during the stream.", "upstream_error_event", null).ConfigureAwait(false);
    }

    // Stuttering and NormalFlow: the response has started.
    private async ValueTask Flowing(StreamMessage message)
    {
        switch (message.Signal)
        {
            case StreamSignal.Event:
                Forward(message.Data!, message.Length);
                _credits.Release();
                if (_upstreamError)
                {
                    await EndWithUpstreamErrorAsync().ConfigureAwait(false);
                    break;
                }

                await FlushIfIdleAsync().ConfigureAwait(false);
                break;
            case StreamSignal.Done:
                await TerminateAsync(FailureKind.None, 0, null, null, null).ConfigureAwait(false);
                break;
            case StreamSignal.Ended:
                if (_finishSeen)
                {
                    await TerminateAsync(FailureKind.None, 0, null, null, null).ConfigureAwait(false);
                }
                else
                {
                    Transition(StreamState.Recovering, "upstream ended before a finish reason");
                    await TerminateAsync(FailureKind.StreamInterrupted, 0, "The upstream ended the stream before it was complete.", null, null).ConfigureAwait(false);
                }

                break;
            case StreamSignal.ReadFailed:
                Transition(StreamState.Recovering, "upstream read failed: " + message.Payload?.GetType().Name);
                await TerminateAsync(FailureKind.StreamInterrupted, 0, "The upstream connection broke during the stream.", null, null).ConfigureAwait(false);
                break;
            case StreamSignal.HoldDue:
                _repair?.Tick(Now, _writer);
                AfterWrite();
                await FlushIfIdleAsync().ConfigureAwait(false);
                break;
            case StreamSignal.Tick:
                await CheckSilenceAsync().ConfigureAwait(false);
                await FlushLeftoverAsync().ConfigureAwait(false);
                break;
            case StreamSignal.ClientAborted:
                await TerminateAsync(FailureKind.ClientCanceled, 0, null, null, null).ConfigureAwait(false);
                break;
            case StreamSignal.Draining:
                await TerminateAsync(FailureKind.ShuttingDown, 0, "The server is shutting down; the stream was ended early.", null, null).ConfigureAwait(false);
                break;
            default:
                Discard(message);
                break;
        }
    }

    private ValueTask Terminating(StreamMessage message)
    {
        Discard(message);
        return default;
    }

    private void Forward(byte[] data, int length)
    {
        try
        {
            var payload = data.AsSpan(0, length);
            if (!ChunkInspector.TryInspect(payload, out var info))
            {
                _malformed++;
                StreamLog.Malformed(Context.Log, _job.RequestId, _malformed);
                return;
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
            ArrayPool<byte>.Shared.Return(data);
        }
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
            if (!Context.Timers.IsTimerActive(HoldTimer))
            {
                var wait = due - Now;
                Context.Timers.StartSingleTimer(HoldTimer, StreamMessage.Of(StreamSignal.HoldDue), wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            }
        }
        else if (Context.Timers.IsTimerActive(HoldTimer))
        {
            Context.Timers.Cancel(HoldTimer);
        }
    }

    private async ValueTask CheckSilenceAsync()
    {
        var now = _time.GetTimestamp();
        var waitingSince = Volatile.Read(ref _upstreamWaitSince);
        if (waitingSince != 0 && _time.GetElapsedTime(waitingSince, now) > _options.ReadTimeout)
        {
            Transition(StreamState.Recovering, "upstream silent");
            await TerminateAsync(FailureKind.StreamStalled, 0, $"The upstream sent nothing for {_options.ReadTimeout.TotalSeconds:0} s.", "stream_stalled", null).ConfigureAwait(false);
            return;
        }

        if (_time.GetElapsedTime(_started, now) > _options.StreamTimeout)
        {
            await TerminateAsync(FailureKind.UpstreamTimeout, 0, "The stream exceeded its deadline.", null, null).ConfigureAwait(false);
            return;
        }

        if (_options.KeepAliveInterval > TimeSpan.Zero && _time.GetElapsedTime(_lastClientWriteAt, now) >= _options.KeepAliveInterval)
        {
            _writer.WriteKeepAlive();
            await FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An event written while a tick was already queued skipped its flush (more was in hand); when
    /// the tick turns out to be the last message, the event must still leave now, not with the next.
    /// </summary>
    private async ValueTask FlushLeftoverAsync()
    {
        if (_state != StreamState.Terminating && _writer.BytesOut > _flushedBytes && !Context.HasPendingMessages)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FlushIfIdleAsync()
    {
        // Several events already in hand: one flush for all of them, after the last. A burst never
        // grows the unflushed response without bound: a flush is also due after a mailbox's worth of
        // events or MaxUnflushedBytes, and that flush is where a slow client holds the stream back.
        _eventsSinceFlush++;
        if (!Context.HasPendingMessages
            || _eventsSinceFlush >= _options.MailboxCapacity
            || _writer.BytesOut - _flushedBytes >= MaxUnflushedBytes)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync()
    {
        try
        {
            _eventsSinceFlush = 0;
            _flushedBytes = _writer.BytesOut;
            var result = await _job.Client.Writer.FlushAsync(_lifetime.Token).ConfigureAwait(false);
            _lastClientWriteAt = _time.GetTimestamp();
            if (result.IsCanceled || result.IsCompleted)
            {
                await TerminateAsync(FailureKind.ClientCanceled, 0, null, null, null).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            await TerminateAsync(FailureKind.ClientCanceled, 0, null, null, null).ConfigureAwait(false);
        }
    }

    private async ValueTask TerminateAsync(FailureKind failure, int upstreamStatus, string? message, string? code, TimeSpan? retryAfter)
    {
        if (_state == StreamState.Terminating)
        {
            return;
        }

        Transition(StreamState.Terminating, failure == FailureKind.None ? "done" : failure.ToString());
        Become(Terminating);
        Context.Timers.CancelAll();
        await _lifetime.CancelAsync().ConfigureAwait(false); // stops the reader and the upstream body
        failure = await EndResponseAsync(failure, message, code).ConfigureAwait(false);
        Report(failure, upstreamStatus, message, code, retryAfter);
        Context.Stop();
    }

    /// <summary>
    /// Ends a started response: what is held goes out first (nothing is ever lost), then <c>[DONE]</c>
    /// for a success or the error event for a failure. A response not started is left to the caller.
    /// </summary>
    private async ValueTask<FailureKind> EndResponseAsync(FailureKind failure, string? message, string? code)
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
                _writer.WriteError(failure, message ?? failure.ToString(), code ?? ErrorCode(failure));
            }

            var result = await _job.Client.Writer.FlushAsync(_job.RequestAborted).ConfigureAwait(false);
            return result.IsCanceled ? FailureKind.ClientCanceled : failure;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            return FailureKind.ClientCanceled;
        }
    }

    private void Report(FailureKind failure, int upstreamStatus, string? message, string? code, TimeSpan? retryAfter)
    {
        var outcome = new StreamOutcome(
            failure,
            _job.Client.HasStarted,
            upstreamStatus == 0 ? _opening?.Result.StatusCode ?? 0 : upstreamStatus,
            message,
            code,
            retryAfter,
            _writer.EventsOut,
            _writer.BytesOut,
            _timeToFirstToken,
            _repair?.Repairs ?? 0,
            _malformed,
            Volatile.Read(ref _attempts))
        {
            Summary = _summary,
        };
        if (_run.TryReport(outcome))
        {
            StreamLog.Completed(Context.Log, _job.RequestId, failure, outcome.EventsOut, outcome.Repairs, outcome.Attempts);
        }
    }

    private void Transition(StreamState next, string reason)
    {
        if (next == _state)
        {
            return;
        }

        StreamLog.Transition(Context.Log, _job.RequestId, _state, next, reason);
        _state = next;
    }

    private TimeSpan Now => _time.GetElapsedTime(_started);

    private static string? ErrorCode(FailureKind failure) => failure switch
    {
        FailureKind.StreamStalled => "stream_stalled",
        FailureKind.StreamInterrupted => "stream_interrupted",
        FailureKind.UpstreamTimeout => "upstream_timeout",
        FailureKind.ShuttingDown => "shutting_down",
        _ => null,
    };

    private void Discard(StreamMessage message)
    {
        if (message.Data is { } data)
        {
            ArrayPool<byte>.Shared.Return(data);
            _credits.Release();
        }
        else if (message.Payload is UpstreamOpening opening)
        {
            opening.Dispose();
        }
    }

    private async Task PumpAsync(IAsyncEnumerator<SseItem<EventBytes>> events, CancellationTokenSource reads)
    {
        var self = Self;
        var cancellationToken = reads.Token;
        try
        {
            while (true)
            {
                await _credits.WaitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _upstreamWaitSince, Math.Max(1, _time.GetTimestamp()));
                var more = await events.MoveNextAsync().ConfigureAwait(false);
                Volatile.Write(ref _upstreamWaitSince, 0);
                if (!more)
                {
                    await self.SendAsync(StreamMessage.Of(StreamSignal.Ended), cancellationToken).ConfigureAwait(false);
                    return;
                }

                var data = events.Current.Data;
                if (data.IsDone)
                {
                    await self.SendAsync(StreamMessage.Of(StreamSignal.Done), cancellationToken).ConfigureAwait(false);
                    return;
                }

                try
                {
                    await self.SendAsync(StreamMessage.Event(data.Array!, data.Length), cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    data.Return();
                    throw;
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested || self.IsStopped)
        {
            // The stream is ending; nobody waits for these reads.
        }
        catch (Exception ex)
        {
            try
            {
                await self.SendAsync(StreamMessage.Of(StreamSignal.ReadFailed, ex), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception late) when (late is OperationCanceledException or ActorStoppedException)
            {
                // Ended meanwhile.
            }
        }
        finally
        {
            Volatile.Write(ref _upstreamWaitSince, 0);
            await UpstreamOpening.CloseAsync(events, reads).ConfigureAwait(false);
        }
    }

    /// <summary>What all instances made by one <see cref="Create"/> share: one run, one outcome.</summary>
    private sealed class StreamRun(Action<StreamOutcome> onCompleted)
    {
        private int _started;
        private int _reported;

        public StreamActor? Owner { get; private set; }

        public bool Reported => Volatile.Read(ref _reported) != 0;

        public bool TryStart(StreamActor owner)
        {
            if (Interlocked.Exchange(ref _started, 1) != 0)
            {
                return false;
            }

            Owner = owner;
            return true;
        }

        public bool TryReport(StreamOutcome outcome)
        {
            if (Interlocked.Exchange(ref _reported, 1) != 0)
            {
                return false;
            }

            onCompleted(outcome);
            return true;
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
