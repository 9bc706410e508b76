using System.Buffers;
using System.Diagnostics;

namespace Proxy.LoadClient.Load;

/// <summary>Sends one chat request and times it: first body byte, first text, end, gaps between events.</summary>
internal static class RequestRunner
{
    private const int BufferSize = 4096;

    /// <param name="stopAtFirstToken">Give up the body once the first text arrived (time-to-first-token samples).</param>
    /// <param name="recordGaps">Keep the gap between every two events.</param>
    /// <param name="gauge">Counts this request as an open stream while its body is being read.</param>
    public static async Task<RequestSample> SendAsync(
        HttpClient client,
        LoadTarget target,
        ChatRequest request,
        CancellationToken cancellationToken,
        bool stopAtFirstToken = false,
        bool recordGaps = false,
        StreamGauge? gauge = null)
    {
        var scanner = new SseScanner(recordGaps);
        var start = Stopwatch.GetTimestamp();
        long firstByte = 0;
        var status = 0;
        var opened = false;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var message = request.Create(target.ChatUri);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (gauge is not null)
            {
                gauge.Opened();
                opened = true;
            }

            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                long bytes = 0;
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (firstByte == 0)
                    {
                        firstByte = now;
                    }

                    bytes += read;
                    if (request.Stream)
                    {
                        scanner.Feed(buffer.AsSpan(0, read), now);
                        if (stopAtFirstToken && scanner.FirstTokenAt != 0)
                        {
                            break;
                        }
                    }
                }

                var end = Stopwatch.GetTimestamp();
                var error = Verdict(status, bytes, request.Stream, stopAtFirstToken, scanner);
                return new RequestSample(
                    error is null,
                    status,
                    error,
                    Ms(start, end),
                    firstByte == 0 ? Ms(start, end) : Ms(start, firstByte),
                    scanner.FirstTokenAt == 0 ? null : Ms(start, scanner.FirstTokenAt),
                    scanner.Events,
                    scanner.Gaps);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                       || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var end = Stopwatch.GetTimestamp();
            var where = firstByte != 0 ? "inside the body" : status != 0 ? "before the body" : "before the response";
            return new RequestSample(false, status, $"{e.GetType().Name} {where}: {Innermost(e).Message}", Ms(start, end),
                Ms(start, end), null, scanner.Events, scanner.Gaps);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (opened)
            {
                gauge!.Closed();
            }
            else
            {
                gauge?.FailedToOpen();
            }
        }
    }

    private static string? Verdict(int status, long bytes, bool stream, bool stoppedEarly, SseScanner scanner)
    {
        if (status != 200)
        {
            return $"HTTP {status}";
        }

        if (bytes == 0)
        {
            return "empty body";
        }

        if (!stream)
        {
            return null;
        }

        if (scanner.SawErrorEvent)
        {
            return "error event in stream";
        }

        if (stoppedEarly)
        {
            return scanner.FirstTokenAt != 0 ? null : "stream ended before any text";
        }

        return scanner.SawDone ? null : "stream ended without [DONE]";
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
