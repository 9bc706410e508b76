using System.Buffers;
using System.Buffers.Text;

namespace Proxy.Web.Protocols;

/// <summary>
/// Hand-framed JSON for the translators' hot path: literals, numbers and already-escaped string
/// bodies written straight into the output, with nothing allocated.
/// </summary>
internal static class Utf8Output
{
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    public static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    /// <summary>A JSON string whose body is already escaped (bytes taken from a JSON document as they were).</summary>
    public static void WriteQuoted(IBufferWriter<byte> output, ReadOnlySpan<byte> escaped)
    {
        var span = output.GetSpan(escaped.Length + 2);
        span[0] = (byte)'"';
        escaped.CopyTo(span[1..]);
        span[escaped.Length + 1] = (byte)'"';
        output.Advance(escaped.Length + 2);
    }
}
