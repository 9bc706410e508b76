using System.Buffers;
using System.Text;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Tests.Streaming;

public sealed class SseFrameWriterTests
{
    [Fact]
    public void Events_done_keep_alive_and_error_are_framed_exactly()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new SseFrameWriter(output);

        writer.WriteEvent("{\"a\":1}"u8);
        writer.WriteKeepAlive();
        writer.WriteDone();
        writer.WriteError(FailureKind.StreamStalled, "Upstream sent nothing for 45 s.", "stream_stalled");

        Assert.Equal(
            "data: {\"a\":1}\n\n: keep-alive\n\ndata: [DONE]\n\n"
            + "data: {\"error\":{\"message\":\"Upstream sent nothing for 45 s.\",\"type\":\"upstream_timeout\",\"code\":\"stream_stalled\"}}\n\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(3, writer.EventsOut);
        Assert.Equal(output.WrittenCount, writer.BytesOut);
    }

    [Fact]
    public void Error_without_code_writes_null_code()
    {
        var output = new ArrayBufferWriter<byte>();

        new SseFrameWriter(output).WriteError(FailureKind.StreamInterrupted, "reset", null);

        Assert.Equal("data: {\"error\":{\"message\":\"reset\",\"type\":\"upstream_error\",\"code\":null}}\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Multi_line_payload_becomes_one_data_line_per_line()
    {
        var output = new ArrayBufferWriter<byte>();

        new SseFrameWriter(output).WriteEvent("{\r\n \"a\": 1\n}"u8);

        Assert.Equal("data: {\ndata:  \"a\": 1\ndata: }\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Translator_frames_pass_through_counted_and_a_silent_event_counts_nothing()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new SseFrameWriter(output, new UpperTranslator());

        writer.WriteEvent("{\"a\":\"x\"}"u8);
        writer.WriteEvent("drop"u8);
        writer.WriteKeepAlive();
        writer.WriteDone();

        Assert.Equal("event: up\ndata: {\"A\":\"X\"}\n\n: keep-alive\n\nevent: end\ndata: {}\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(2, writer.EventsOut);
        Assert.Equal(output.WrittenCount, writer.BytesOut);
        Assert.True(writer.Ended);
    }

    [Fact]
    public void Translator_writes_the_error_event_in_its_own_shape()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new SseFrameWriter(output, new UpperTranslator());

        writer.WriteError(FailureKind.StreamStalled, "silent", "stream_stalled");

        Assert.Equal("event: error\ndata: StreamStalled silent stream_stalled\n\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(1, writer.EventsOut);
        Assert.Equal(output.WrittenCount, writer.BytesOut);
        Assert.True(writer.Ended);
    }

    private sealed class UpperTranslator : IStreamTranslator
    {
        public void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
        {
            if (!chunk.SequenceEqual("drop"u8))
            {
                output.Write(Encoding.UTF8.GetBytes("event: up\ndata: " + Encoding.UTF8.GetString(chunk).ToUpperInvariant() + "\n\n"));
            }
        }

        public void WriteDone(IBufferWriter<byte> output) => output.Write("event: end\ndata: {}\n\n"u8);

        public void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output) =>
            output.Write(Encoding.UTF8.GetBytes($"event: error\ndata: {kind} {message} {code}\n\n"));
    }
}
