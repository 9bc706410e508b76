using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Proxy.Actors.Streaming;

/// <summary>
/// The few operations on raw JSON string values the repair needs: unescape to UTF-8, find where an
/// unescaped offset falls in the raw text (to cut a value without re-encoding it), and escape.
/// </summary>
internal static class JsonString
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>
    /// Unescapes a raw JSON string value (without quotes) into UTF-8. <paramref name="destination"/>
    /// must hold at least <paramref name="raw"/>.Length bytes. Lone surrogates become U+FFFD.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var next = raw[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                raw[i..].CopyTo(destination[written..]);
                return written + raw.Length - i;
            }

            raw.Slice(i, next).CopyTo(destination[written..]);
            written += next;
            i += next;
            i += DecodeEscape(raw[i..], destination[written..], out var produced);
            written += produced;
        }

        return written;
    }

    /// <summary>
    /// Finds the raw offset at which the first <paramref name="unescapedOffset"/> unescaped bytes end.
    /// False when that point falls inside one escape sequence (the cut cannot be made on the raw text).
    /// </summary>
    public static bool TryMapOffset(ReadOnlySpan<byte> raw, int unescapedOffset, out int rawOffset)
    {
        var produced = 0;
        var i = 0;
        Span<byte> scratch = stackalloc byte[4];
        while (produced < unescapedOffset && i < raw.Length)
        {
            if (raw[i] != (byte)'\\')
            {
                var run = raw[i..].IndexOf((byte)'\\');
                var plain = run < 0 ? raw.Length - i : run;
                var take = Math.Min(plain, unescapedOffset - produced);
                produced += take;
                i += take;
                continue;
            }

            i += DecodeEscape(raw[i..], scratch, out var n);
            produced += n;
        }

        rawOffset = i;
        return produced == unescapedOffset;
    }

    /// <summary>Escapes UTF-8 text as the inside of a JSON string (quotes, backslash and control characters).</summary>
    public static void WriteEscaped(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        var i = 0;
        while (i < utf8.Length)
        {
            var plain = IndexOfNeedsEscape(utf8[i..]);
            if (plain < 0)
            {
                output.Write(utf8[i..]);
                return;
            }

            output.Write(utf8.Slice(i, plain));
            i += plain;
            var b = utf8[i++];
            var span = output.GetSpan(6);
            int n;
            switch (b)
            {
                case (byte)'"': span[0] = (byte)'\\'; span[1] = (byte)'"'; n = 2; break;
                case (byte)'\\': span[0] = (byte)'\\'; span[1] = (byte)'\\'; n = 2; break;
                case (byte)'\n': span[0] = (byte)'\\'; span[1] = (byte)'n'; n = 2; break;
                case (byte)'\r': span[0] = (byte)'\\'; span[1] = (byte)'r'; n = 2; break;
                case (byte)'\t': span[0] = (byte)'\\'; span[1] = (byte)'t'; n = 2; break;
                default:
                    "\\u00"u8.CopyTo(span);
                    span[4] = Hex[b >> 4];
                    span[5] = Hex[b & 0xF];
                    n = 6;
                    break;
            }

            output.Advance(n);
        }
    }

    private static int IndexOfNeedsEscape(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Decodes the escape at the start of <paramref name="raw"/>; returns the raw bytes consumed.</summary>
    private static int DecodeEscape(ReadOnlySpan<byte> raw, Span<byte> destination, out int produced)
    {
        Debug.Assert(raw[0] == (byte)'\\');
        if (raw.Length < 2)
        {
            produced = 0;
            return raw.Length;
        }

        switch (raw[1])
        {
            case (byte)'n': destination[0] = (byte)'\n'; produced = 1; return 2;
            case (byte)'r': destination[0] = (byte)'\r'; produced = 1; return 2;
            case (byte)'t': destination[0] = (byte)'\t'; produced = 1; return 2;
            case (byte)'b': destination[0] = 0x08; produced = 1; return 2;
            case (byte)'f': destination[0] = 0x0C; produced = 1; return 2;
            case (byte)'u':
                break;
            default:
                // \" \\ \/ (and anything else the reader accepted) stand for the byte itself.
                destination[0] = raw[1];
                produced = 1;
                return 2;
        }

        if (raw.Length < 6 || !TryHex4(raw.Slice(2, 4), out var unit))
        {
            produced = 0;
            return Math.Min(raw.Length, 6);
        }

        var consumed = 6;
        int scalar = unit;
        if (char.IsHighSurrogate((char)unit))
        {
            if (raw.Length >= 12 && raw[6] == (byte)'\\' && raw[7] == (byte)'u' && TryHex4(raw.Slice(8, 4), out var low)
                && char.IsLowSurrogate((char)low))
            {
                scalar = char.ConvertToUtf32((char)unit, (char)low);
                consumed = 12;
            }
            else
            {
                scalar = 0xFFFD;
            }
        }
        else if (char.IsLowSurrogate((char)unit))
        {
            scalar = 0xFFFD;
        }

        produced = new Rune(scalar).EncodeToUtf8(destination);
        return consumed;
    }

    private static bool TryHex4(ReadOnlySpan<byte> hex, out int value)
    {
        value = 0;
        foreach (var c in hex)
        {
            int d = c switch
            {
                >= (byte)'0' and <= (byte)'9' => c - '0',
                >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
                _ => -1,
            };
            if (d < 0)
            {
                return false;
            }

            value = (value << 4) | d;
        }

        return true;
    }
}
