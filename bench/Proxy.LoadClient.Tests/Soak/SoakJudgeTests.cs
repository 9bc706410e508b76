using Proxy.LoadClient.Report;
using Proxy.LoadClient.Soak;

namespace Proxy.LoadClient.Tests.Soak;

public sealed class SoakJudgeTests
{
    [Fact]
    public void Growth_within_the_floor_is_flat()
    {
        var t = SoakJudge.Judge(SoakJudge.Rss, "MB", [(0, 100), (1, 102), (2, 104), (3, 106)]);

        Assert.Equal((4, 2.0, 6.0, 0.0, 8.0, true), (t.Samples, t.SlopePerMinute!.Value, t.Growth!.Value, t.NoiseBand!.Value, t.Floor, t.Flat));
        Assert.Equal((100.0, 106.0), (t.Start!.Value, t.End!.Value));
    }

    [Fact]
    public void Steady_growth_beyond_noise_and_floor_is_a_leak()
    {
        var t = SoakJudge.Judge(SoakJudge.Rss, "MB", [(0, 100), (1, 104), (2, 108), (3, 112)]);

        Assert.Equal((12.0, false), (t.Growth!.Value, t.Flat));
    }

    [Fact]
    public void Rss_in_a_window_under_five_minutes_is_shown_but_not_judged_while_the_gc_heap_is()
    {
        var rss = SoakJudge.Judge(SoakJudge.Rss, "MB", [(0, 100), (1, 110), (2, 120)]);
        var heap = SoakJudge.Judge(SoakJudge.GcHeap, "MB", [(0, 100), (1, 110), (2, 120)]);
        var r = Result() with { Trends = [rss, heap] };

        Assert.Equal((false, false), (rss.Flat, rss.Judged));
        Assert.Equal((false, true), (heap.Flat, heap.Judged));
        Assert.Equal(["GC heap grows 10.00 MB/min (20.00 MB over the window; noise band 0.00 MB, floor 8.00 MB)"], SoakJudge.Misses(r));
    }

    [Fact]
    public void Growth_inside_the_noise_band_is_flat()
    {
        // Line 17 + 2x: growth 6 over the window, above the floor of 4 for threads; residuals -7, 21, -21, 7: band 2 x sqrt(980 / 2).
        var t = SoakJudge.Judge(SoakJudge.Threads, "", [(0, 10), (1, 40), (2, 0), (3, 30)]);

        Assert.Equal(2.0, t.SlopePerMinute!.Value, 9);
        Assert.Equal(6.0, t.Growth!.Value, 9);
        Assert.Equal(2 * Math.Sqrt(490), t.NoiseBand!.Value, 9);
        Assert.True(t.Flat);
    }

    [Fact]
    public void Shrinking_is_never_a_leak()
    {
        var t = SoakJudge.Judge(SoakJudge.Fds, "", [(0, 500), (1, 400), (2, 300)]);

        Assert.Equal((-100.0, true), (t.SlopePerMinute!.Value, t.Flat));
    }

    [Fact]
    public void Too_few_samples_cannot_be_judged()
    {
        var t = SoakJudge.Judge(SoakJudge.Streams, "", [(0, 1), (1, 1)]);

        Assert.Equal((2, null, null), (t.Samples, t.Flat, t.SlopePerMinute));
    }

    [Fact]
    public void Trends_leave_out_the_warm_up_and_missing_reads()
    {
        SoakSample S(double seconds, long? rssKb) => new(seconds, rssKb, 1 << 20, 20, 30, 2);

        var trends = SoakJudge.Trends([S(0, 1), S(30, 2), S(60, 10240), S(90, null), S(120, 10240), S(180, 10240)], warmupSeconds: 60);

        Assert.Equal(["RSS", "GC heap", "threads", "open fds", "open streams"], trends.Select(t => t.Metric));
        Assert.Equal([3, 4, 4, 4, 4], trends.Select(t => t.Samples));
        Assert.Equal((10.0, 0.0, true), (trends[0].Start!.Value, trends[0].SlopePerMinute!.Value, trends[0].Flat));
    }

    [Theory]
    [InlineData(0L, 30, 20, false)]
    [InlineData(0L, 30, 21, false)]
    [InlineData(0L, 31, 20, true)]
    [InlineData(1L, 20, 20, true)]
    public void Left_open_means_streams_still_active_or_fds_beyond_the_slack(long streams, int fds, int idleFds, bool leftOpen)
    {
        Assert.Equal(leftOpen, SoakJudge.LeftOpen(streams, fds, idleFds));
    }

    [Fact]
    public void Unknown_state_after_the_load_counts_as_left_open()
    {
        Assert.True(SoakJudge.LeftOpen(null, 20, 20));
        Assert.True(SoakJudge.LeftOpen(0, null, 20));
    }

    [Fact]
    public void Clean_run_passes()
    {
        var r = Result();

        Assert.Empty(SoakJudge.Misses(r));
        Assert.True(SoakJudge.Passed(r));
    }

    [Fact]
    public void Each_miss_is_named()
    {
        var r = Result() with
        {
            Counts = Counts() with { FailedOtherwise = 3, FaultNotSeen = 1 },
            Trends = [SoakJudge.Judge(SoakJudge.Rss, "MB", [(0, 100), (5, 150), (10, 200)]), SoakJudge.Judge(SoakJudge.Threads, "", [(0, 1)])],
            After = After() with { Fds = 50, LeftOpen = true },
        };

        Assert.Equal(
        [
            "RSS grows 10.00 MB/min (100.00 MB over the window; noise band 0.00 MB, floor 8.00 MB)",
            "threads: too few samples after the warm-up (1)",
            "left open after the load: 0 streams, 50 fds (idle 20)",
            "3 requests failed that no fault or cancel was meant to break",
            "1 faulted requests were answered as a success",
        ], SoakJudge.Misses(r));
        Assert.False(SoakJudge.Passed(r));
    }

    internal static SoakCounts Counts() => new(1000, 700, 80, 46, 874, 46, 80, 0, 0);

    internal static SoakAfter After() => new(0, 22, 20, 18, 16, 120_000, 80_000, 3, false);

    internal static SoakResult Result() => new(
        2, 30, 2, 32, "chunks=20;delay_ms=25", "8% faulted", Counts(), [],
        [SoakJudge.Judge(SoakJudge.Rss, "MB", [(0.5, 120), (1, 121), (1.5, 119), (2, 120)])],
        After(), []);
}
