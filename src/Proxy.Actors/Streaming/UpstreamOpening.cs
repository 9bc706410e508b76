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
        First = first;
        IsOpen = events is not null;
    }

    public UpstreamResult Result { get; }

    /// <summary>Cancels the reads of this attempt's body (linked to the stream's lifetime).</summary>
    public CancellationTokenSource? Reads { get; private set; }

    public IAsyncEnumerator<SseItem<EventBytes>>? Events { get; private set; }

    /// <summary>The first event (a pooled copy), or <see cref="EventBytes.IsDone"/> when the body began with [DONE].</summary>
    public EventBytes First { get; private set; }

    /// <summary>Hands the first event over to the caller, who returns its array to the pool.</summary>
    public EventBytes TakeFirst()
    {
        var first = First;
        First = default;
        return first;
    }

    public FailureKind Failure => Result.Failure;

    public TimeSpan? RetryAfter => Result.RetryAfter;

    /// <summary>The attempt got a response and its first event.</summary>
    public bool IsOpen { get; }

    /// <summary>An opening that failed without a response to read.</summary>
    public static UpstreamOpening Failed(UpstreamResult result) => new(result, null, null, default);

    /// <summary>
    /// Sends one attempt and waits for its first event within <paramref name="firstByteTimeout"/>.
    /// <paramref name="attemptToken"/> (the retry pipeline's, with its budget) governs this attempt
    /// only; the reads of the body, which outlive the pipeline, hang off <paramref name="streamToken"/>.
    /// </summary>
    public static async ValueTask<UpstreamOpening> AttemptAsync(
        UpstreamCall call, TimeSpan firstByteTimeout, TimeProvider time, CancellationToken attemptToken, CancellationToken streamToken)
    {
        var result = await call(attemptToken).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return new UpstreamOpening(result, null, null, default);
        }

        var reads = CancellationTokenSource.CreateLinkedTokenSource(streamToken);
        IAsyncEnumerator<SseItem<EventBytes>>? events = null;
        var timedOut = new StrongBox<bool>();
        using var firstByteTimer = time.CreateTimer(
            static state =>
            {
                var (cts, flag) = ((CancellationTokenSource, StrongBox<bool>))state!;
                flag.Value = true;
                cts.Cancel();
            },
            (reads, timedOut),
            firstByteTimeout,
            Timeout.InfiniteTimeSpan);
        var attemptLink = attemptToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), reads);
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
            await attemptLink.DisposeAsync().ConfigureAwait(false);
            var first = events.Current.Data;
            if (IsErrorEvent(first))
            {
                // An error in place of the first event: a failed attempt, told with an HTTP status
                // like any other (never as a 200 stream), and retried if it is transient.
                var error = System.Text.Encoding.UTF8.GetString(first.Array!, 0, first.Length);
                first.Return();
                await DisposeAsync(events, reads, result).ConfigureAwait(false);
                return new UpstreamOpening(ErrorClassifier.Classify(502, null, error, time.GetUtcNow()), null, null, default);
            }

            return new UpstreamOpening(result, reads, events, first);
        }
        catch (Exception ex) when (!attemptToken.IsCancellationRequested && !streamToken.IsCancellationRequested)
        {
            await attemptLink.DisposeAsync().ConfigureAwait(false);
            await DisposeAsync(events, reads, result).ConfigureAwait(false);
            return new UpstreamOpening(
                timedOut.Value
                    ? UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, $"The upstream sent no event within {firstByteTimeout.TotalSeconds:0.#} s.")
                    : ErrorClassifier.Classify(ex, attemptToken),
                null,
                null,
                default);
        }
        catch
        {
            await attemptLink.DisposeAsync().ConfigureAwait(false);
            await DisposeAsync(events, reads, result).ConfigureAwait(false);
            throw;
        }
    }

    private static bool IsErrorEvent(EventBytes first) =>
        first.Array is { } array
        && ChunkInspector.TryInspect(array.AsSpan(0, first.Length), out var info)
        && (info.Flags & ChunkFlags.Error) != 0;

    /// <summary>
    /// Hands the event enumerator and its cancellation over to the reader, which disposes both once
    /// its last read has returned (an enumerator must not be disposed under a pending read).
    /// </summary>
    public (IAsyncEnumerator<SseItem<EventBytes>> Events, CancellationTokenSource Reads) HandOver()
    {
        var handed = (Events!, Reads!);
        Events = null;
        Reads = null;
        return handed;
    }

    /// <summary>Gives back the first event's array and closes the response (which ends any read of its body).</summary>
    public void Dispose()
    {
        First.Return();
        First = default;
        Reads?.Cancel();
        Result.Dispose();
        if (Events is { } events)
        {
            _ = events.DisposeAsync().AsTask().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }

        Reads?.Dispose();
        Events = null;
        Reads = null;
    }

    /// <summary>Disposes what <see cref="HandOver"/> gave, after the last read.</summary>
    public static async ValueTask CloseAsync(IAsyncEnumerator<SseItem<EventBytes>> events, CancellationTokenSource reads)
    {
        await reads.CancelAsync().ConfigureAwait(false);
        try
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // The body is being thrown away.
        }

        reads.Dispose();
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
