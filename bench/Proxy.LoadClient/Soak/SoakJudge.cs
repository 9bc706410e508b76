using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// Turns the soak's samples into trends and says whether the run passed: every trend flat, nothing
/// left open, and no request failed but those meant to (see <see cref="SoakCounts"/>).
/// </summary>
internal static class SoakJudge
{
    /// <summary>Descriptors above idle still allowed once the load has stopped (the probe's and sampler's own connections, a pooled one).</summary>
    public const int FdSlack = 10;

    public const string Rss = "RSS";
    public const string GcHeap = "GC heap";
    public const string Threads = "threads";
    public const string Fds = "open fds";
    public const string Streams = "open streams";

    /// <summary>
    /// The shortest window after warm-up in which RSS is judged. For its first minutes the runtime
    /// still commits memory it keeps (GC regions as the heap settles, JIT code, thread-pool stacks),
    /// so a two-minute run sees RSS climb while the GC heap, threads and descriptors stay flat: the
    /// short run judges those four, and the documented 30-minute run judges RSS as well.
    /// </summary>
    public const double RssJudgedFromMinutes = 5;

    /// <summary>Growth across the window always tolerated, per metric, in the metric's unit.</summary>
    public static double FloorOf(string metric) => metric switch
    {
        Rss => 8,
        GcHeap => 8,
        Threads => 4,
        Fds => 8,
        _ => 4,
    };

    /// <summary>The five trends over the samples taken at or after <paramref name="warmupSeconds"/>.</summary>
    public static IReadOnlyList<SoakTrend> Trends(IReadOnlyList<SoakSample> samples, double warmupSeconds)
    {
        var after = samples.Where(s => s.Seconds >= warmupSeconds).ToArray();
        return
        [
            Judge(Rss, "MB", Points(after, s => s.RssKb / 1024.0)),
            Judge(GcHeap, "MB", Points(after, s => s.GcHeapBytes / (1024.0 * 1024.0))),
            Judge(Threads, "", Points(after, s => s.Threads)),
            Judge(Fds, "", Points(after, s => s.Fds)),
            Judge(Streams, "", Points(after, s => s.Streams)),
        ];
    }

    /// <summary>One metric's trend; x in minutes.</summary>
    public static SoakTrend Judge(string metric, string unit, IReadOnlyList<(double Minutes, double Value)> points)
    {
        var floor = FloorOf(metric);
        var fit = Trend.Fit(points);
        if (fit is null)
        {
            return new SoakTrend(metric, unit, points.Count, null, null, null, null, null, floor, null, null);
        }

        var band = 2 * fit.ResidualSd;
        return new SoakTrend(metric, unit, fit.Count, fit.At(fit.FirstX), fit.At(fit.LastX), fit.Slope, fit.SlopeError, band, floor,
            fit.Growth, fit.Growth <= Math.Max(band, floor))
        {
            Judged = metric != Rss || fit.LastX - fit.FirstX >= RssJudgedFromMinutes,
        };
    }

    public static bool LeftOpen(long? streams, int? fds, int? idleFds) =>
        streams is not 0 || fds is null || idleFds is null || fds > idleFds + FdSlack;

    /// <summary>Why the run did not pass; empty when it did.</summary>
    public static IReadOnlyList<string> Misses(SoakResult r)
    {
        var misses = new List<string>();
        foreach (var t in r.Trends.Where(t => t.Judged))
        {
            if (t.Flat is null)
            {
                misses.Add($"{t.Metric}: too few samples after the warm-up ({t.Samples})");
            }
            else if (t.Flat is false)
            {
                misses.Add($"{t.Metric} grows {Amount(t.SlopePerMinute, t.Unit)}/min ({Amount(t.Growth, t.Unit)} over the window; noise band {Amount(t.NoiseBand, t.Unit)}, floor {Amount(t.Floor, t.Unit)})");
            }
        }

        if (r.After.LeftOpen)
        {
            misses.Add($"left open after the load: {r.After.Streams?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} streams, " +
                       $"{r.After.Fds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} fds (idle {r.After.IdleFds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})");
        }

        if (r.Counts.FailedOtherwise > 0)
        {
            misses.Add($"{r.Counts.FailedOtherwise} requests failed that no fault or cancel was meant to break");
        }

        if (r.Counts.FaultNotSeen > 0)
        {
            misses.Add($"{r.Counts.FaultNotSeen} faulted requests were answered as a success");
        }

        return misses;
    }

    public static bool Passed(SoakResult r) => Misses(r).Count == 0;

    private static (double, double)[] Points(IEnumerable<SoakSample> samples, Func<SoakSample, double?> value) =>
        samples.Select(s => (s.Seconds / 60, value(s))).Where(p => p.Item2 is not null).Select(p => (p.Item1, p.Item2!.Value)).ToArray();

    /// <summary>"1.25 MB", or "1.25" for a count.</summary>
    public static string Amount(double? value, string unit) => MarkdownReport.Num(value, "0.00") + (unit.Length == 0 ? "" : " " + unit);
}
