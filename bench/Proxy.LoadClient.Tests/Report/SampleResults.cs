using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Tests.Report;

/// <summary>A made-up run with round numbers, for the report tests.</summary>
internal static class SampleResults
{
    public static BenchResults Create(bool quick = false, double proxyNonStreamingMedian = 0.25, double proxyRps = 8000, int proxyStreamErrors = 0)
    {
        var r = new BenchResults
        {
            Started = new DateTimeOffset(2026, 11, 22, 10, 30, 0, TimeSpan.Zero),
            Quick = quick,
            Command = "bench/run.sh",
            Upstream = "tests/Qwen.Emulator",
            Machine = new MachineInfo(2, "AMD EPYC", 24105, "6.18.0", ".NET 10.0.12", "1.22.1", "abc1234", 1.5, 20000),
            LoadAverageAtEnd = 2.25,
            Elapsed = TimeSpan.FromMinutes(7.5),
        };
        r.Latency = new LatencyResult("chunks=20;delay_ms=0", 2000,
        [
            Row("non-streaming", "direct", 0.2, 0.5),
            Row("non-streaming", "nginx", 0.26, 0.6),
            Row("non-streaming", "proxy", proxyNonStreamingMedian, 0.9),
            Row("streaming", "direct", 0.4, 0.8),
            Row("streaming", "nginx", 0.5, 1.0),
            Row("streaming", "proxy", 0.45, 1.2),
        ]);
        r.Throughput = new ThroughputResult("chunks=20;delay_ms=0", 3, 2,
        [
            new ThroughputRow("non-streaming", 64, "direct", 6, 60000, 0, null, 10000),
            new ThroughputRow("non-streaming", 64, "nginx", 6, 60000, 0, null, 10000),
            new ThroughputRow("non-streaming", 64, "proxy", 6, 48000, 0, null, proxyRps),
        ]);
        r.Streams = new StreamsResult("chunks=128;delay_ms=1000", 8, 30,
        [
            new StreamsRow("proxy", 8000, 8000, 8000 - proxyStreamErrors, proxyStreamErrors,
                proxyStreamErrors > 0 ? [$"{proxyStreamErrors} x HTTP 502"] : [], 8000, 9.5,
                Summary(1000, 1010), 80_000, 200_000),
        ]);
        r.Stutter = new StutterResult("chunks=20;delay_ms=20", 200,
        [
            new StutterRow("direct", 200, 0, null, Summary(20.0, 21.0)),
            new StutterRow("proxy, repair on", 200, 0, null, Summary(22.5, 24.0)),
            new StutterRow("proxy, repair off", 200, 0, null, Summary(20.5, 22.0)),
        ]);
        return r;
    }

    private static LatencyRow Row(string kind, string path, double median, double p99) =>
        new(kind, path, 2000, 0, null, Summary(median, p99), Summary(median * 0.9, p99 * 0.9), kind == "streaming" ? 21 : 0);

    private static Summary Summary(double median, double p99) =>
        new(2000, median, p99, p99 * 2, Distribution.ChartPercentiles.Select(p => new PercentilePoint(p, p >= 99 ? p99 : median)).ToArray());
}
