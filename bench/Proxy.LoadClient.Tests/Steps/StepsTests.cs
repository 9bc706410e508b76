using Proxy.LoadClient.Load;
using Proxy.LoadClient.Steps;
using Proxy.LoadClient.Tests.Load;

namespace Proxy.LoadClient.Tests.Steps;

public sealed class StepsTests(StubFixture stub) : IClassFixture<StubFixture>
{
    private static BenchOptions Options(params string[] args) =>
        BenchOptions.Parse(["--quick", "--api-key", StubFixture.Key, .. args]);

    [Fact]
    public async Task Latency_step_gives_a_row_per_kind_and_path()
    {
        var options = Options("--latency-samples", "5", "--latency-warmup", "1");

        var result = await LatencyStep.RunAsync(options, [stub.Target], TextWriter.Null, CancellationToken.None);

        Assert.Equal([("non-streaming", "direct", 5, 0, 0), ("streaming", "direct", 5, 0, 20)],
            result.Rows.Select(r => (r.Request, r.Path, r.Total.Count, r.Errors, r.MedianEvents)));
    }

    [Fact]
    public async Task Throughput_step_counts_requests_per_level_and_kind()
    {
        var options = Options("--connections", "2", "--throughput-seconds", "0.2", "--throughput-warmup", "0.1");

        var result = await ThroughputStep.RunAsync(options, [stub.Target], TextWriter.Null, CancellationToken.None);

        Assert.Equal([("non-streaming", 2), ("streaming", 2)], result.Rows.Select(r => (r.Request, r.Connections)));
        Assert.All(result.Rows, r =>
        {
            Assert.Equal(0, r.Errors);
            Assert.True(r.Ok > 0);
            Assert.Equal(r.Ok / r.Seconds, r.RequestsPerSecond);
        });
    }

    [Fact]
    public async Task Streams_step_holds_every_stream_open_together_then_releases_them()
    {
        var options = Options("--streams", "20", "--stream-hold-seconds", "1", "--stream-event-ms", "50", "--stream-ramp-seconds", "0.1");
        var reads = 0;

        var row = await StreamsStep.RunAsync(options, stub.Target, () => { Interlocked.Increment(ref reads); return (1000, 2000); },
            TextWriter.Null, CancellationToken.None);

        Assert.Equal((20, 20, 20, 0, 20), (row.Streams, row.Opened, row.Held, row.Errors, row.PeakConcurrent));
        Assert.Empty(row.TopErrors);
        Assert.True(row.EventGaps.Count > 0);
        Assert.Equal((1000L, 2000L), (row.IdleRssKb!.Value, row.PeakRssKb!.Value));
        Assert.Equal(100, row.KbPerStream);
        Assert.Equal(50, row.KbPerStreamAboveIdle);
        Assert.True(reads >= 2);
    }

    [Fact]
    public async Task Stutter_step_times_the_first_token_per_path()
    {
        var options = Options("--stutter-samples", "4", "--stutter-warmup", "1");

        var rows = await StutterStep.MeasureAsync(options, [("direct", stub.Target), ("again", stub.Target)], TextWriter.Null, CancellationToken.None);

        Assert.Equal([("direct", 4, 0, 4), ("again", 4, 0, 4)], rows.Select(r => (r.Path, r.Samples, r.Errors, r.FirstToken.Count)));
    }

    [Fact]
    public async Task Soak_step_sends_the_mix_samples_the_process_and_counts_every_outcome()
    {
        // The stub has no /health/detailed and ignores faults: no fault in the mix, and open streams stay unknown.
        var options = Options("--soak-minutes", "0.05", "--soak-warmup-seconds", "1", "--soak-sample-seconds", "0.25",
            "--soak-concurrency", "2", "--soak-fault-rate", "0", "--soak-cancel-rate", "0.2", "--soak-settle-seconds", "0.5",
            "--soak-scenario", "chunks=3;delay_ms=0");
        var log = new StringWriter();

        var result = await SoakStep.RunAsync(options, stub.Target, Environment.ProcessId, log, CancellationToken.None);

        var c = result.Counts;
        Assert.Empty(result.UnexpectedErrors);
        Assert.True(c.Requests > 0);
        Assert.Equal((0L, 0L, 0L, 0L), (c.Faulted, c.FaultBroke, c.FaultNotSeen, c.FailedOtherwise));
        Assert.Equal(c.Requests, c.Succeeded + c.Cancelled);
        Assert.True(c.CancelsPlanned > 0);
        Assert.InRange(result.Samples.Count, 3, 13);
        Assert.All(result.Samples, s => Assert.Equal((true, true, true, null, null), (s.RssKb > 0, s.Threads > 0, s.Fds > 0, s.GcHeapBytes, s.Streams)));
        Assert.True(result.Trends[0].Samples > 0);
        Assert.True(result.After.LeftOpen); // streams unknown: cannot be shown closed
        Assert.Contains("; left open after the load: ? streams, " + result.After.Fds + " fds (idle " + result.After.IdleFds + ")" + Environment.NewLine,
            log.ToString(), StringComparison.Ordinal);
        Assert.Contains("soak: FAIL: GC heap: too few samples after the warm-up (0); ", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Top_errors_are_grouped_and_counted()
    {
        RequestSample Failed(string error) => new(false, 502, error, 1, 1, null, 0, []);

        var top = StreamsStep.TopErrors([Failed("HTTP 502"), Failed("HTTP 502"), Failed("reset"), new RequestSample(true, 200, null, 1, 1, 1, 3, [])]);

        Assert.Equal(["2 x HTTP 502", "1 x reset"], top);
    }
}
