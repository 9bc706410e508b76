using System.Buffers;
using System.Net.ServerSentEvents;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>
/// One attempt at opening an upstream stream: the classified answer and, when it succeeded, the
/// event enumerator positioned after the first event. Retried as a whole while nothing reached the
/// client, so a reset or a stall before the first event is retried like a 5xx.
/// </summary>
internal sealed class UpstreamOpening : IUpstreamOutcome, IDisposable
{
    private UpstreamOpening(UpstreamResult result, CancellationTokenSource? reads, IAsyncEnumerator<SseItem<EventBytes>>? events, EventBytes first)
    {
        Result = result;
        Reads = reads;
        Events = events;
        _first = first;
    }

    public UpstreamResult Result { get; }

    /// <summary>Cancels the reads of this attempt's body (linked to the stream's lifetime).</summary>
    public CancellationTokenSource? Reads { get; }

    public IAsyncEnumerator<SseItem<EventBytes>>? Events { get; }

    private EventBytes _first;

    /// <summary>
    /// Hands over the first event (a pooled copy, now the caller's to return), or one with
    /// <see cref="EventBytes.IsDone"/> when the body began with [DONE]. Once only.
    /// </summary>
    public EventBytes TakeFirst()
    {
        var first = _first;
        _first = default;
        return first;
    }

    public FailureKind Failure => Result.Failure;

    public TimeSpan? RetryAfter => Result.RetryAfter;

    public bool IsOpen => Events is not null;

    /// <summary>An opening that failed without a response to read.</summary>
    public static UpstreamOpening Failed(UpstreamResult result) => new(result, null, null, default);

    /// <summary>Sends one attempt and waits for its first event within <paramref name="firstByteTimeout"/>.</summary>
    public static async ValueTask<UpstreamOpening> AttemptAsync(UpstreamCall call, TimeSpan firstByteTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var result = await call(cancellationToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return new UpstreamOpening(result, null, null, default);
        }

        var reads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IAsyncEnumerator<SseItem<EventBytes>>? events = null;
        var timedOut = false;
        var flagBox = new StrongBox<bool>();
        using var firstByteTimer = time.CreateTimer(
            static state =>
            {
                var (cts, flag) = ((CancellationTokenSource, StrongBox<bool>))state!;
                flag.Value = true;
                cts.Cancel();
            },
            (reads, flagBox),
            firstByteTimeout,
            Timeout.InfiniteTimeSpan);
        try
        {
            var body = await result.Response!.Content.ReadAsStreamAsync(reads.Token).ConfigureAwait(false);
            events = SseParser.Create(body, EventBytes.Parse).EnumerateAsync(reads.Token).GetAsyncEnumerator(reads.Token);
            if (!await events.MoveNextAsync().ConfigureAwait(false))
            {
                await DisposeAsync(events, reads, result).ConfigureAwait(false);
                return new UpstreamOpening(
                    UpstreamResult.Fail(FailureKind.UpstreamServerError, result.StatusCode, "The upstream closed the stream before its first event."), null, null, default);
            }

            await firstByteTimer.DisposeAsync().ConfigureAwait(false);
            return new UpstreamOpening(result, reads, events, events.Current.Data);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            timedOut = flagBox.Value;
            await DisposeAsync(events, reads, result).ConfigureAwait(false);
            return new UpstreamOpening(
                timedOut
                    ? UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream sent no event in time.")
                    : ErrorClassifier.Classify(ex, cancellationToken),
                null,
                null,
                default);
        }
        catch
        {
            await DisposeAsync(events, reads, result).ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose()
    {
        TakeFirst().Return();
        Reads?.Cancel();
        _ = Events?.DisposeAsync().AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        Reads?.Dispose();
        Result.Dispose();
    }

    private static async ValueTask DisposeAsync(IAsyncEnumerator<SseItem<EventBytes>>? events, CancellationTokenSource reads, UpstreamResult result)
    {
        await reads.CancelAsync().ConfigureAwait(false);
        if (events is not null)
        {
            try
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
                // The body is being thrown away.
            }
        }

        reads.Dispose();
        result.Dispose();
    }

    private sealed class StrongBox<T>
    {
        public T? Value { get; set; }
    }
}

/// <summary>One event's payload in a pooled array; <see cref="IsDone"/> for <c>[DONE]</c>.</summary>
internal readonly struct EventBytes
{
    private EventBytes(byte[]? array, int length, bool done)
    {
        Array = array;
        Length = length;
        IsDone = done;
    }

    public byte[]? Array { get; }

    public int Length { get; }

    public bool IsDone { get; }

    public static EventBytes Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return new EventBytes(null, 0, done: true);
        }

        var array = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, 16));
        data.CopyTo(array);
        return new EventBytes(array, data.Length, done: false);
    }

    public void Return()
    {
        if (Array is not null)
        {
            ArrayPool<byte>.Shared.Return(Array);
        }
    }
}
