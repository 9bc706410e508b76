namespace Proxy.LoadClient.Load;

/// <summary>
/// Reads an SSE body as it arrives, just far enough to time it: counts <c>data:</c> events, notes
/// <c>[DONE]</c>, an error event, the first event that carries text (<c>"content":"x</c>) and the
/// gaps between events. Bytes may be split anywhere between calls to <see cref="Feed"/>.
/// </summary>
internal sealed class SseScanner
{
    private static ReadOnlySpan<byte> DataField => "data:"u8;
    private static ReadOnlySpan<byte> Done => "[DONE]"u8;
    private static ReadOnlySpan<byte> ErrorStart => "{\"error\""u8;
    private static ReadOnlySpan<byte> ContentKey => "\"content\":"u8;

    private readonly List<double>? _gaps;
    private byte[] _line = new byte[256];
    private int _lineLength;
    private long _lastEventAt;

    public SseScanner(bool recordGaps) => _gaps = recordGaps ? [] : null;

    /// <summary>Data events seen, <c>[DONE]</c> not counted.</summary>
    public int Events { get; private set; }

    public bool SawDone { get; private set; }

    public bool SawErrorEvent { get; private set; }

    /// <summary>Timestamp (<see cref="System.Diagnostics.Stopwatch"/> ticks) of the first event with non-empty content, 0 if none yet.</summary>
    public long FirstTokenAt { get; private set; }

    /// <summary>Milliseconds between consecutive data events, when recording was asked for.</summary>
    public IReadOnlyList<double> Gaps => _gaps ?? (IReadOnlyList<double>)[];

    public void Feed(ReadOnlySpan<byte> bytes, long timestamp)
    {
        while (!bytes.IsEmpty)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(bytes);
                return;
            }

            Append(bytes[..newline]);
            EndLine(timestamp);
            bytes = bytes[(newline + 1)..];
        }
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_lineLength + part.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _lineLength + part.Length));
        }

        part.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += part.Length;
    }

    private void EndLine(long timestamp)
    {
        var line = _line.AsSpan(0, _lineLength);
        _lineLength = 0;
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (!line.StartsWith(DataField))
        {
            return;
        }

        var payload = line[DataField.Length..];
        if (!payload.IsEmpty && payload[0] == (byte)' ')
        {
            payload = payload[1..];
        }

        if (payload.SequenceEqual(Done))
        {
            SawDone = true;
            return;
        }

        Events++;
        if (_gaps is not null && _lastEventAt != 0)
        {
            _gaps.Add(System.Diagnostics.Stopwatch.GetElapsedTime(_lastEventAt, timestamp).TotalMilliseconds);
        }

        _lastEventAt = timestamp;
        if (payload.StartsWith(ErrorStart))
        {
            SawErrorEvent = true;
        }

        if (FirstTokenAt == 0 && HasText(payload))
        {
            FirstTokenAt = timestamp;
        }
    }

    /// <summary>True when some <c>"content":</c> value in the event is a non-empty string.</summary>
    internal static bool HasText(ReadOnlySpan<byte> json)
    {
        while (true)
        {
            var at = json.IndexOf(ContentKey);
            if (at < 0)
            {
                return false;
            }

            json = json[(at + ContentKey.Length)..];
            var value = json.TrimStart(" \t"u8);
            if (value.Length >= 2 && value[0] == (byte)'"' && value[1] != (byte)'"')
            {
                return true;
            }
        }
    }
}
