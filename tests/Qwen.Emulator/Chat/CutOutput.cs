using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Qwen.Emulator.Chat;

/// <summary>
/// A response written straight to the connection's socket so it can be cut at an exact byte:
/// every flushed byte is in the kernel before the sending side is closed (FIN), so the client
/// reads all of it and then an unfinished body. Kestrel's own abort would be a reset (RST) that
/// may drop bytes the client has not read yet.
/// </summary>
internal sealed class CutOutput : EventOutput
{
    /// <summary>How long to wait for the client to hang up after the cut before the connection is torn down.</summary>
    private static readonly TimeSpan HangUpWait = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly bool _chunked;
    private byte[]? _head;

    private CutOutput(Socket socket, byte[] head, bool chunked)
    {
        _socket = socket;
        _head = head;
        _chunked = chunked;
    }

    /// <summary>A cut-able response with this status line and headers, or null when the socket is not reachable.</summary>
    public static CutOutput? For(HttpContext context, string contentType, long? contentLength)
    {
        // Only an HTTP/1.x connection carries one response: on HTTP/2 the socket is shared by every
        // stream multiplexed on it, so the cut is the stream's own reset (Abort) instead.
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) && !HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            return null;
        }

        if (context.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return null;
        }

        var head = new StringBuilder("HTTP/1.1 200 OK\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Date: ").Append(DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n");
        if (contentLength is { } length)
        {
            head.Append("Content-Length: ").Append(length).Append("\r\n");
        }
        else
        {
            head.Append("Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n");
        }

        return new CutOutput(socket, Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), contentLength is null);
    }

    public override void Write(ReadOnlySpan<byte> bytes) => _pending.Write(bytes);

    public override async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var frame = new ArrayBufferWriter<byte>(_pending.WrittenCount + 64);
        if (_head is not null)
        {
            frame.Write(_head);
            _head = null;
        }

        if (_pending.WrittenCount > 0)
        {
            if (_chunked)
            {
                frame.Write(Encoding.ASCII.GetBytes(_pending.WrittenCount.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            }

            frame.Write(_pending.WrittenSpan);
            if (_chunked)
            {
                frame.Write("\r\n"u8);
            }

            _pending.Clear();
        }

        if (frame.WrittenCount > 0)
        {
            await _socket.SendAsync(frame.WrittenMemory, SocketFlags.None, cancellationToken);
        }

        return true;
    }

    /// <summary>Sends what is pending, closes the sending side, and waits for the client to hang up.</summary>
    public async Task CutAsync(HttpContext context, RequestRecord record)
    {
        await FlushAsync(context.RequestAborted);
        record.ServerAborting();
        _socket.Shutdown(SocketShutdown.Send);
        try
        {
            await Task.Delay(HangUpWait, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client hung up after reading to the cut: the expected end.
        }

        context.Abort();
    }
}
