using System.Net.ServerSentEvents;
using Microsoft.Extensions.Logging;
using Polly;
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
/// actor's bounded mailbox, so a slow client slows the upstream read. This actor is the only writer
/// of the client's response.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor's resources are released in PostStop, its end of life.")]
internal sealed class StreamActor : Actor<StreamMessage>
{
    private const string CheckTimer = "check";
    private const string HoldTimer = "hold";
    private static long s_streams;

    private readonly StreamJob _job;
    private readonly StreamOptions _options;
    private readonly Action<StreamOutcome> _onCompleted;
    private readonly StutterRepair? _repair;
    private readonly SseFrameWriter _writer;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationTokenSource _lifetime = new();
    private StreamState _state = StreamState.Initial;
    private UpstreamOpening? _opening;
    private CancellationTokenRegistration _abortRegistration;
    private CancellationTokenRegistration _drainRegistration;
    private long _lastUpstreamAt;
    private long _lastClientWriteAt;
    private int _attempts;
    private int _malformed;
    private bool _finishSeen;
    private bool _reported;
    private TimeSpan? _timeToFirstToken;

    private StreamActor(StreamJob job, Action<StreamOutcome> onCompleted)
    {
        _job = job;
        _options = job.Options;
        _onCompleted = onCompleted;
        _time = Context.Time;
        _started = _time.GetTimestamp();
        _lastUpstreamAt = _started;
        _lastClientWriteAt = _started;
        _repair = _options.RepairEnabled ? new StutterRepair(_options.Repair) : null;
        _writer = new SseFrameWriter(job.Client.Writer, job.Rewriter);
    }

    /// <summary>The state the actor is in (for tests and logs).</summary>
    internal StreamState State => _state;

    /// <summary>Makes a stream actor for <paramref name="job"/>; <paramref name="onCompleted"/> is called exactly once.</summary>
    public static Func<Actor<StreamMessage>> Create(StreamJob job, Action<StreamOutcome> onCompleted)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(onCompleted);
        return () => new StreamActor(job, onCompleted);
    }

    /// <summary>The mailbox a stream actor must be spawned with (bounded: back-pressure).</summary>
    public static MailboxOptions Mailbox(StreamJob job) => MailboxOptions.Bounded(job.Options.MailboxCapacity);

    /// <summary>A unique child name for a stream.</summary>
    public static string NameFor(StreamJob job) => "stream-" + Interlocked.Increment(ref s_streams).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="job"/> as a top-level actor of <paramref name="system"/> and waits for its outcome.</summary>
    public static Task<StreamOutcome> RunAsync(ActorSystem system, StreamJob job)
    {
        var done = new TaskCompletionSource<StreamOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.Spawn(Create(job, outcome => done.TrySetResult(outcome)), NameFor(job), Mailbox(job));
        return done.Task;
    }

    protected override SupervisorStrategy SupervisorStrategy => SupervisorStrategy.StoppingStrategy;

    protected override ValueTask PreStart()
    {
        _abortRegistration = _job.RequestAborted.UnsafeRegister(static state => ((StreamActor)state!).OnClientAborted(), this);
        if (_job.Draining.CanBeCanceled)
        {
            _drainRegistration = _job.Draining.UnsafeRegister(static state => ((StreamActor)state!).Self.Tell(StreamMessage.Of(StreamSignal.Draining)), this);
        }

        Context.Timers.StartPeriodicTimer(CheckTimer, StreamMessage.Of(StreamSignal.Tick), _options.CheckInterval);
        _ = OpenAsync(Self, _lifetime.Token);
        return default;
    }

    protected override async ValueTask PostStop()
    {
        await _abortRegistration.DisposeAsync().ConfigureAwait(false);
        await _drainRegistration.DisposeAsync().ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        _opening?.Dispose();
        _opening = null;
        _repair?.Complete(NullSink.Instance);
        if (!_reported)
        {
            // Stopped without terminating (a crash, or the system shutting down): still one outcome.
            Report(_job.RequestAborted.IsCancellationRequested ? FailureKind.ClientCanceled : FailureKind.StreamInterrupted, 0, "The stream was stopped.", null, null);
        }

        _lifetime.Dispose();
    }

    protected override ValueTask Receive(StreamMessage message) => Opening(message);

    private void OnClientAborted()
    {
        // Cancel the upstream call at once, from the disconnect itself, then let the actor finish.
        _lifetime.Cancel();
        Self.Tell(StreamMessage.Of(StreamSignal.ClientAborted));
    }

    private async Task OpenAsync(IActorRef<StreamMessage> self, CancellationToken cancellationToken)
    {
        UpstreamOpening opening;
        try
        {
            opening = _job.Retry is null
                ? await AttemptAsync(self, cancellationToken).ConfigureAwait(false)
                : await _job.Retry.ExecuteAsync(
                    static (actor, token) => actor.AttemptAsync(actor.Self, token),
                    this,
                    cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // the client went away; the actor already knows
        }
        catch (TimeoutRejectedException)
        {
            opening = UpstreamOpening.Failed(UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer within the retry budget."));
        }
        catch (Exception ex)
        {
            opening = UpstreamOpening.Failed(ErrorClassifier.Classify(ex, cancellationToken));
        }

        try
        {
            await self.SendAsync(StreamMessage.Of(StreamSignal.Opened, opening), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ActorStoppedException)
        {
            opening.Dispose();
        }
    }

    private async ValueTask<UpstreamOpening> AttemptAsync(IActorRef<StreamMessage> self, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        var opening = await UpstreamOpening.AttemptAsync(_job.Open, _options.FirstByteTimeout, _time, cancellationToken).ConfigureAwait(false);
        if (!opening.IsOpen)
        {
            self.Tell(StreamMessage.Of(StreamSignal.AttemptFailed, opening.Failure));
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
                ReturnData(message);
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
        _lastUpstreamAt = _time.GetTimestamp();
        _job.Client.Start();
        Transition(_repair is null ? StreamState.NormalFlow : StreamState.Stuttering, "first event");
        Become(Flowing);
        _ = PumpAsync(opening.Events!, Self, opening.Reads!.Token);

        var first = opening.TakeFirst();
        if (first.IsDone)
        {
            await TerminateAsync(FailureKind.None, 0, null, null, null).ConfigureAwait(false);
            return;
        }

        Forward(first.Array!, first.Length);
        await FlushIfIdleAsync().ConfigureAwait(false);
    }

    // Stuttering and NormalFlow: the response has started.
    private async ValueTask Flowing(StreamMessage message)
    {
        switch (message.Signal)
        {
            case StreamSignal.Event:
                _lastUpstreamAt = _time.GetTimestamp();
                Forward(message.Data!, message.Length);
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
                    Transition(StreamState.Recovering, "upstream ended early");
                    await TerminateAsync(FailureKind.StreamInterrupted, 0, "The upstream ended the stream before it was complete.", null, null).ConfigureAwait(false);
                }

                break;
            case StreamSignal.ReadFailed:
                Transition(StreamState.Recovering, "upstream read failed");
                await TerminateAsync(FailureKind.StreamInterrupted, 0, "The upstream connection broke during the stream.", null, null).ConfigureAwait(false);
                break;
            case StreamSignal.HoldDue:
                _repair?.Tick(Now, _writer);
                AfterWrite();
                await FlushIfIdleAsync().ConfigureAwait(false);
                break;
            case StreamSignal.Tick:
                await CheckSilenceAsync().ConfigureAwait(false);
                break;
            case StreamSignal.ClientAborted:
                await TerminateAsync(FailureKind.ClientCanceled, 0, null, null, null).ConfigureAwait(false);
                break;
            case StreamSignal.Draining:
                await TerminateAsync(FailureKind.ShuttingDown, 0, "The server is shutting down; the stream was ended early.", null, null).ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    private ValueTask Terminating(StreamMessage message)
    {
        ReturnData(message);
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
            System.Buffers.ArrayPool<byte>.Shared.Return(data);
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
        else
        {
            Context.Timers.Cancel(HoldTimer);
        }
    }

    private async ValueTask CheckSilenceAsync()
    {
        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastUpstreamAt, now) > _options.ReadTimeout)
        {
            Transition(StreamState.Recovering, "upstream silent");
            await TerminateAsync(FailureKind.StreamStalled, 0, $"The upstream sent nothing for {_options.ReadTimeout.TotalSeconds:0} s.", null, null).ConfigureAwait(false);
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

    private async ValueTask FlushIfIdleAsync()
    {
        // Several events already in hand: one flush for all of them, after the last.
        if (!Context.HasPendingMessages)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FlushAsync()
    {
        try
        {
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

        if (failure != FailureKind.ClientCanceled && _job.Client.HasStarted)
        {
            // Nothing held is ever lost: it goes out before [DONE] or the error event.
            _repair?.Complete(_writer);
            if (failure == FailureKind.None)
            {
                _writer.WriteDone();
            }
            else
            {
                _writer.WriteError(failure, message ?? failure.ToString(), code);
            }

            try
            {
                await _job.Client.Writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                failure = FailureKind.ClientCanceled;
            }
        }

        Report(failure, upstreamStatus, message, code, retryAfter);
        Context.Stop();
    }

    private void Report(FailureKind failure, int upstreamStatus, string? message, string? code, TimeSpan? retryAfter)
    {
        if (_reported)
        {
            return;
        }

        _reported = true;
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
            Volatile.Read(ref _attempts));
        StreamLog.Completed(Context.Log, _job.RequestId, failure, outcome.EventsOut, outcome.Repairs, outcome.Attempts);
        _onCompleted(outcome);
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

    private static void ReturnData(StreamMessage message)
    {
        if (message.Data is { } data)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(data);
        }
        else if (message.Payload is UpstreamOpening opening)
        {
            opening.Dispose();
        }
    }

    private static async Task PumpAsync(IAsyncEnumerator<SseItem<EventBytes>> events, IActorRef<StreamMessage> self, CancellationToken cancellationToken)
    {
        try
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                var data = events.Current.Data;
                if (data.IsDone)
                {
                    await self.SendAsync(StreamMessage.Of(StreamSignal.Done), cancellationToken).ConfigureAwait(false);
                    return;
                }

                await self.SendAsync(StreamMessage.Event(data.Array!, data.Length), cancellationToken).ConfigureAwait(false);
            }

            await self.SendAsync(StreamMessage.Of(StreamSignal.Ended), cancellationToken).ConfigureAwait(false);
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
    }

    private sealed class NullSink : IEventSink
    {
        public static readonly NullSink Instance = new();

        public void WriteEvent(ReadOnlySpan<byte> payload)
        {
        }
    }
}
