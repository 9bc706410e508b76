using System.Buffers;
using System.Diagnostics;

namespace Proxy.LoadClient.Load;

/// <summary>Sends one chat request and times it: first body byte, first text, end, gaps between events.</summary>
internal static class RequestRunner
{
    private const int BufferSize = 4096;

    /// <summary>The most of a non-200 body kept to find its error code.</summary>
    private const int ErrorHeadSize = 2048;

    public static Task<RequestSample> SendAsync(
        HttpClient client, LoadTarget target, ChatRequest request, CancellationToken cancellationToken) =>
        SendAsync(client, target, request, ReadMode.Whole, cancellationToken);

    public static async Task<RequestSample> SendAsync(
        HttpClient client, LoadTarget target, ChatRequest request, ReadMode mode, CancellationToken cancellationToken)
    {
        var (stopAtFirstToken, recordGaps, gauge, release) = mode;
        var scanner = new SseScanner(recordGaps);
        var start = Stopwatch.GetTimestamp();
        long firstByte = 0;
        long bytes = 0;
        var status = 0;
        var opened = false;
        byte[]? errorHead = null;
        var errorHeadLength = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var linked = release.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, release) : null;
        var token = linked?.Token ?? cancellationToken;
        try
        {
            using var message = request.Create(target.ChatUri);
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (gauge is not null)
            {
                gauge.Opened();
                opened = true;
            }

            var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), token).ConfigureAwait(false)) > 0)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (firstByte == 0)
                    {
                        firstByte = now;
                    }

                    bytes += read;
                    if (status != 200)
                    {
                        errorHead ??= new byte[ErrorHeadSize];
                        var keep = Math.Min(read, ErrorHeadSize - errorHeadLength);
                        buffer.AsSpan(0, keep).CopyTo(errorHead.AsSpan(errorHeadLength));
                        errorHeadLength += keep;
                    }
                    else if (request.Stream)
                    {
                        scanner.Feed(buffer.AsSpan(0, read), now);
                        if (stopAtFirstToken && scanner.FirstTokenAt != 0)
                        {
                            break;
                        }
                    }
                }

                var sample = Sample(start, firstByte, status, Verdict(status, bytes, request.Stream, stopAtFirstToken, scanner), scanner, released: false);
                return errorHead is null ? sample : sample with { ErrorCode = ErrorCode(errorHead.AsSpan(0, errorHeadLength)) };
            }
        }
        catch (OperationCanceledException) when (release.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var error = status == 0 ? "still waiting for headers when released"
                : status != 200 ? $"HTTP {status}"
                : scanner.SawErrorEvent ? "error event in stream"
                : null;
            return Sample(start, firstByte, status, error, scanner, released: true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException
                                       || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var where = firstByte != 0 ? "inside the body" : status != 0 ? "before the body" : "before the response";
            return Sample(start, firstByte, status, $"{e.GetType().Name} {where}: {Innermost(e).Message}", scanner, released: false);
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

    private static RequestSample Sample(long start, long firstByte, int status, string? error, SseScanner scanner, bool released)
    {
        var end = Stopwatch.GetTimestamp();
        return new RequestSample(
            error is null,
            status,
            error,
            Ms(start, end),
            firstByte == 0 ? Ms(start, end) : Ms(start, firstByte),
            scanner.FirstTokenAt == 0 ? null : Ms(start, scanner.FirstTokenAt),
            scanner.Events,
            scanner.Gaps)
        {
            Released = released,
        };
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

    /// <summary><c>error.code</c> of an OpenAI-style error body, or null when the body is not one.</summary>
    internal static string? ErrorCode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(body);
            using var document = System.Text.Json.JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && document.RootElement.TryGetProperty("error", out var error)
                   && error.ValueKind == System.Text.Json.JsonValueKind.Object
                   && error.TryGetProperty("code", out var code)
                   && code.ValueKind == System.Text.Json.JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
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
