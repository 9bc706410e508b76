using System.Diagnostics;
using System.Text;
using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Tests.Load;

public sealed class SseScannerTests
{
    private const string Stream =
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n" +
        ": keep-alive\n\n" +
        "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm\"}}]}\n\n" +
        "data: {\"choices\":[{\"delta\":{\"content\":\"\"}}]}\n\n" +
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n" +
        "data: {\"choices\":[{\"delta\":{\"content\":\" world\"}}]}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public void Whole_stream_counts_data_events_and_sees_done()
    {
        var scanner = new SseScanner(recordGaps: false);

        scanner.Feed(Encoding.UTF8.GetBytes(Stream), 1);

        Assert.Equal(5, scanner.Events);
        Assert.True(scanner.SawDone);
        Assert.False(scanner.SawErrorEvent);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Stream_split_anywhere_reads_the_same(int pieceSize)
    {
        var bytes = Encoding.UTF8.GetBytes(Stream.Replace("\n", "\r\n", StringComparison.Ordinal));
        var scanner = new SseScanner(recordGaps: true);

        for (var i = 0; i < bytes.Length; i += pieceSize)
        {
            scanner.Feed(bytes.AsSpan(i, Math.Min(pieceSize, bytes.Length - i)), 1000 + i);
        }

        Assert.Equal(5, scanner.Events);
        Assert.True(scanner.SawDone);
        Assert.Equal(4, scanner.Gaps.Count);
    }

    [Fact]
    public void First_token_is_the_first_event_with_non_empty_content()
    {
        var scanner = new SseScanner(recordGaps: false);
        var lines = Stream.Split("\n\n");

        for (var i = 0; i < lines.Length; i++)
        {
            scanner.Feed(Encoding.UTF8.GetBytes(lines[i] + "\n\n"), 100 + i);
        }

        // Role-only, reasoning and empty content come first; "Hello" is the fifth block.
        Assert.Equal(104, scanner.FirstTokenAt);
    }

    [Fact]
    public void Gaps_are_the_milliseconds_between_events()
    {
        var scanner = new SseScanner(recordGaps: true);
        var t0 = Stopwatch.GetTimestamp();

        scanner.Feed("data: {}\n\n"u8, t0);
        scanner.Feed("data: {}\n\n"u8, t0 + (Stopwatch.Frequency / 4));
        scanner.Feed("data: [DONE]\n\n"u8, t0 + Stopwatch.Frequency);

        Assert.Equal([250.0], scanner.Gaps);
    }

    [Fact]
    public void Error_event_is_noticed()
    {
        var scanner = new SseScanner(recordGaps: false);

        scanner.Feed("data: {\"error\":{\"message\":\"upstream reset\",\"type\":\"upstream_error\"}}\n\n"u8, 1);

        Assert.True(scanner.SawErrorEvent);
        Assert.False(scanner.SawDone);
        Assert.Equal(0, scanner.FirstTokenAt);
    }

    [Theory]
    [InlineData("{\"delta\":{\"content\":\"x\"}}", true)]
    [InlineData("{\"delta\":{\"content\": \"\\n\"}}", true)]
    [InlineData("{\"delta\":{\"content\":\"\"}}", false)]
    [InlineData("{\"delta\":{\"content\":null}}", false)]
    [InlineData("{\"delta\":{\"reasoning_content\":\"x\"}}", false)]
    [InlineData("{\"delta\":{\"content\":\"\"},\"message\":{\"content\":\"y\"}}", true)]
    public void Has_text_only_for_a_non_empty_content_string(string json, bool expected)
    {
        Assert.Equal(expected, SseScanner.HasText(Encoding.UTF8.GetBytes(json)));
    }
}
