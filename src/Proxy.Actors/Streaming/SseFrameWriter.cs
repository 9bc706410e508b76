using System.Buffers;
using System.Text.Json;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>
/// Frames payloads as server-sent events into a buffer writer (the client's <c>PipeWriter</c>):
/// <c>data: …\n\n</c>, <c>data: [DONE]\n\n</c>, <c>: keep-alive\n\n</c> and the error event,
/// or hands events, the end and the error to an <see cref="IStreamTranslator"/> that writes
/// another protocol's frames. Counts what it wrote. Never flushes: the caller decides when.
/// </summary>
internal sealed class SseFrameWriter : IEventSink
{
    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> DoneFrame => "data: [DONE]\n\n"u8;

    private static ReadOnlySpan<byte> KeepAliveFrame => ": keep-alive\n\n"u8;

    private readonly IBufferWriter<byte> _output;
    private readonly IStreamTranslator? _translator;
    private readonly CountingWriter? _counted;

    public SseFrameWriter(IBufferWriter<byte> output, IStreamTranslator? translator = null)
    {
        _output = output;
        _translator = translator;
        _counted = translator is null ? null : new CountingWriter(output);
    }

    /// <summary>Data events written, including <c>[DONE]</c> and the error event (not keep-alives).</summary>
    public int EventsOut { get; private set; }

    /// <summary>All bytes written, keep-alives included.</summary>
    public long BytesOut { get; private set; }

    /// <summary>True once <c>[DONE]</c> or the error event was written.</summary>
    public bool Ended { get; private set; }

    public void WriteEvent(ReadOnlySpan<byte> payload)
    {
        if (_translator is null)
        {
            WriteFrame(payload);
            return;
        }

        var before = _counted!.Written;
        _translator.WriteEvent(payload, _counted);
        CountTranslated(before);
    }

    public void WriteDone()
    {
        if (_translator is null)
        {
            Write(DoneFrame);
            EventsOut++;
        }
        else
        {
            var before = _counted!.Written;
            _translator.WriteDone(_counted);
            CountTranslated(before);
        }

        Ended = true;
    }

    public void WriteKeepAlive() => Write(KeepAliveFrame);

    /// <summary>The stream was ended by an event already written (the upstream's own error event).</summary>
    public void MarkEnded() => Ended = true;

    /// <summary>Writes <c>data: {"error":{"message":…,"type":…,"code":…}}</c> with the kind's envelope type.</summary>
    public void WriteError(FailureKind kind, string message, string? code)
    {
        if (_translator is not null)
        {
            var before = _counted!.Written;
            _translator.WriteError(kind, message, code, _counted);
            CountTranslated(before);
            Ended = true;
            return;
        }

        Write(DataPrefix);
        var start = BytesOut;
        var counter = new CountingWriter(_output);
        using (var json = new Utf8JsonWriter(counter))
        {
            json.WriteStartObject();
            json.WriteStartObject("error"u8);
            json.WriteString("message"u8, message);
            json.WriteString("type"u8, kind.ToErrorType());
            if (code is null)
            {
                json.WriteNull("code"u8);
            }
            else
            {
                json.WriteString("code"u8, code);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        BytesOut = start + counter.Written;
        Write(EventEnd);
        EventsOut++;
        Ended = true;
    }

    private void CountTranslated(long before)
    {
        var written = _counted!.Written - before;
        if (written > 0)
        {
            BytesOut += written;
            EventsOut++;
        }
    }

    private void WriteFrame(ReadOnlySpan<byte> payload)
    {
        // A payload with a line break (pretty-printed JSON) needs one data line per line.
        var newline = payload.IndexOf((byte)'\n');
        if (newline < 0)
        {
            var total = DataPrefix.Length + payload.Length + EventEnd.Length;
            var span = _output.GetSpan(total);
            if (span.Length >= total)
            {
                DataPrefix.CopyTo(span);
                payload.CopyTo(span[DataPrefix.Length..]);
                EventEnd.CopyTo(span[(DataPrefix.Length + payload.Length)..]);
                _output.Advance(total);
                BytesOut += total;
            }
            else
            {
                Write(DataPrefix);
                Write(payload);
                Write(EventEnd);
            }
        }
        else
        {
            var rest = payload;
            while (true)
            {
                var line = rest.IndexOf((byte)'\n');
                Write(DataPrefix);
                if (line < 0)
                {
                    Write(rest);
                    break;
                }

                var text = rest[..line];
                Write(text.Length > 0 && text[^1] == (byte)'\r' ? text[..^1] : text);
                Write("\n"u8);
                rest = rest[(line + 1)..];
            }

            Write(EventEnd);
        }

        EventsOut++;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        BytesOut += bytes.Length;
    }

    /// <summary>Passes writes through and counts them (for the error event and a translator's frames).</summary>
    private sealed class CountingWriter(IBufferWriter<byte> inner) : IBufferWriter<byte>
    {
        public long Written { get; private set; }

        public void Advance(int count)
        {
            inner.Advance(count);
            Written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
