using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Tests.Report;

public sealed class TargetCheckTests
{
    [Fact]
    public void Sample_run_meets_every_target()
    {
        var targets = TargetCheck.Evaluate(SampleResults.Create());

        Assert.Equal(
        [
            ("0.050 ms non-streaming, 0.050 ms streaming", (bool?)true),
            ("0.80x at 64 non-streaming", true),
            ("8000 streams, 8000 held together, 0 errors, 25.0 KB per stream", true),
            ("2.000 ms", true),
            ("not measured", null),
        ], targets.Select(t => (t.Measured, t.Met)));
    }

    [Fact]
    public void Each_target_fails_past_its_bound()
    {
        var targets = TargetCheck.Evaluate(SampleResults.Create(proxyNonStreamingMedian: 0.31, proxyRps: 6900, proxyStreamErrors: 1));

        Assert.Equal([false, false, false, true, null], targets.Select(t => t.Met));
        Assert.Equal("0.110 ms non-streaming, 0.050 ms streaming", targets[0].Measured);
        Assert.Equal("0.69x at 64 non-streaming", targets[1].Measured);
    }

    [Fact]
    public void Run_without_the_proxy_cannot_tell()
    {
        var r = new BenchResults
        {
            Started = DateTimeOffset.UnixEpoch,
            Quick = true,
            Command = "bench/run.sh --quick",
            Upstream = "stub",
            Machine = new MachineInfo(2, "cpu", 1, "k", "r", "n", "c", null, 1),
        };

        Assert.All(TargetCheck.Evaluate(r), t =>
        {
            Assert.Equal("not measured", t.Measured);
            Assert.Null(t.Met);
        });
    }

    [Fact]
    public void Streams_not_all_open_together_miss_the_goal()
    {
        var r = SampleResults.Create();
        r.Streams = r.Streams! with { Rows = [r.Streams.Rows[0] with { PeakConcurrent = 7500 }] };

        Assert.False(TargetCheck.Evaluate(r)[2].Met);
    }

    [Fact]
    public void Fewer_streams_than_the_goal_cannot_judge_memory()
    {
        var r = SampleResults.Create();
        r.Streams = r.Streams! with { Rows = [r.Streams.Rows[0] with { Streams = 200, Held = 200, PeakRssKb = 100_000 }] };

        var check = TargetCheck.Evaluate(r)[2];

        Assert.Equal("200 streams, 200 held together, 0 errors, 500.0 KB per stream (fewer streams than the goal)", check.Measured);
        Assert.Null(check.Met);
    }

    [Fact]
    public void Fewer_streams_than_the_goal_still_miss_it_on_errors()
    {
        var r = SampleResults.Create();
        r.Streams = r.Streams! with { Rows = [r.Streams.Rows[0] with { Streams = 200, Held = 199, Errors = 1 }] };

        Assert.False(TargetCheck.Evaluate(r)[2].Met);
    }

    [Fact]
    public void Soak_passes_flat_with_nothing_open_and_no_unexpected_failure()
    {
        var r = SampleResults.Create();
        r.Soak = Soak.SoakJudgeTests.Result();

        var soak = TargetCheck.Evaluate(r)[4];

        Assert.Equal(("2 min, all flat, nothing left open, 0 unexpected failures", (bool?)true), (soak.Measured, soak.Met));
    }

    [Fact]
    public void Soak_fails_on_unexpected_failures()
    {
        var r = SampleResults.Create();
        r.Soak = Soak.SoakJudgeTests.Result() with { Counts = Soak.SoakJudgeTests.Counts() with { FailedOtherwise = 40, FaultNotSeen = 2 } };

        var soak = TargetCheck.Evaluate(r)[4];

        Assert.Equal(("2 min, all flat, nothing left open, 42 unexpected failures", (bool?)false), (soak.Measured, soak.Met));
    }
}
