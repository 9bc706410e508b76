using System.Globalization;

namespace Proxy.LoadClient.Report;

/// <summary>The five figures the gateway is held to, read off a run. Met is null when the run cannot tell.</summary>
internal sealed record TargetCheck(string Name, string Goal, string Measured, bool? Met)
{
    public const double MaxAddedMedianMs = 0.1;
    public const double MinThroughputVsNginx = 0.7;
    public const int StreamsGoal = 8000;
    public const double MaxKbPerStream = 30;
    public const double MaxRepairCostMs = 5;

    private const string NotMeasured = "not measured";

    public static IReadOnlyList<TargetCheck> Evaluate(BenchResults r) =>
        [AddedLatency(r.Latency), Throughput(r.Throughput), Streams(r.Streams), StutterCost(r.Stutter), Soak(r.Soak)];

    private static TargetCheck AddedLatency(LatencyResult? latency)
    {
        const string name = "median added latency, one at a time (proxy - direct, total)";
        const string goal = "<= 0.1 ms";
        var added = new List<(string Kind, double Ms)>();
        foreach (var kind in new[] { "non-streaming", "streaming" })
        {
            var direct = latency?.Rows.FirstOrDefault(x => x.Request == kind && x.Path == "direct");
            var proxy = latency?.Rows.FirstOrDefault(x => x.Request == kind && x.Path == "proxy");
            if (direct is not null && proxy is not null && proxy.Total.Count > 0 && direct.Total.Count > 0)
            {
                added.Add((kind, proxy.Total.Median - direct.Total.Median));
            }
        }

        return added.Count == 0
            ? new TargetCheck(name, goal, NotMeasured, null)
            : new TargetCheck(name, goal, string.Join(", ", added.Select(a => $"{F(a.Ms, "0.000")} ms {a.Kind}")),
                added.TrueForAll(a => a.Ms <= MaxAddedMedianMs));
    }

    private static TargetCheck Throughput(ThroughputResult? throughput)
    {
        const string name = "throughput at 64 and 256 connections (proxy / nginx)";
        const string goal = ">= 0.7x";
        var ratios = new List<(string What, double Ratio)>();
        foreach (var group in (throughput?.Rows ?? []).GroupBy(x => (x.Request, x.Connections)))
        {
            var nginx = group.FirstOrDefault(x => x.Path == "nginx");
            var proxy = group.FirstOrDefault(x => x.Path == "proxy");
            if (nginx is { RequestsPerSecond: > 0 } && proxy is not null)
            {
                ratios.Add(($"{group.Key.Connections} {group.Key.Request}", proxy.RequestsPerSecond / nginx.RequestsPerSecond));
            }
        }

        return ratios.Count == 0
            ? new TargetCheck(name, goal, NotMeasured, null)
            : new TargetCheck(name, goal, string.Join(", ", ratios.Select(x => $"{F(x.Ratio, "0.00")}x at {x.What}")),
                ratios.TrueForAll(x => x.Ratio >= MinThroughputVsNginx));
    }

    private static TargetCheck Streams(StreamsResult? streams)
    {
        const string name = "8,000 concurrent streams through the proxy";
        const string goal = "no errors, <= 30 KB peak RSS per stream";
        var proxy = streams?.Rows.FirstOrDefault(x => x.Path == "proxy");
        if (proxy is null)
        {
            return new TargetCheck(name, goal, NotMeasured, null);
        }

        var measured = $"{proxy.Streams} streams, {proxy.Held} held together, {proxy.Errors} errors, {F(proxy.KbPerStream, "0.0")} KB per stream";
        if (proxy.Streams < StreamsGoal)
        {
            // A smaller run can show errors, but not memory per stream: the idle process weighs too much in it.
            return new TargetCheck(name, goal, measured + " (fewer streams than the goal)", proxy.Errors > 0 ? false : null);
        }

        return new TargetCheck(name, goal, measured,
            proxy.Errors == 0 && proxy.Held == proxy.Streams && proxy.PeakConcurrent >= proxy.Streams && proxy.KbPerStream <= MaxKbPerStream);
    }

    private static TargetCheck StutterCost(StutterResult? stutter)
    {
        const string name = "stutter repair cost to time to first token (median, on - off)";
        const string goal = "<= 5 ms";
        var on = stutter?.Rows.FirstOrDefault(x => x.Path == "proxy, repair on");
        var off = stutter?.Rows.FirstOrDefault(x => x.Path == "proxy, repair off");
        if (on is null || off is null || on.FirstToken.Count == 0 || off.FirstToken.Count == 0)
        {
            return new TargetCheck(name, goal, NotMeasured, null);
        }

        var cost = on.FirstToken.Median - off.FirstToken.Median;
        return new TargetCheck(name, goal, $"{F(cost, "0.000")} ms", cost <= MaxRepairCostMs);
    }

    private static TargetCheck Soak(SoakResult? soak)
    {
        const string name = "soak: steady load with cancels and upstream faults";
        const string goal = "every resource flat after warm-up, nothing left open, 0 unexpected failures";
        if (soak is null)
        {
            return new TargetCheck(name, goal, NotMeasured, null);
        }

        var growing = soak.Trends.Where(t => t.Judged && t.Flat is not true).Select(t => t.Metric).ToArray();
        var measured = string.Create(CultureInfo.InvariantCulture,
            $"{soak.Minutes:0.#} min, {(growing.Length == 0 ? "all flat" : "not flat: " + string.Join(", ", growing))}, " +
            $"{(soak.After.LeftOpen ? "left open" : "nothing left open")}, {soak.Counts.FailedOtherwise + soak.Counts.FaultNotSeen} unexpected failures");
        return new TargetCheck(name, goal, measured, Proxy.LoadClient.Soak.SoakJudge.Passed(soak));
    }

    private static string F(double? value, string format) => MarkdownReport.Num(value, format);
}
