using System.Globalization;
using System.Text;

namespace Proxy.LoadClient.Report;

/// <summary>Renders a run as the markdown that goes into bench/results and docs/BENCHMARKS.md.</summary>
internal static class MarkdownReport
{
    private const string None = "—";

    public static string Render(BenchResults r, string chartLink)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine(CultureInfo.InvariantCulture, $"Run of {r.Started:yyyy-MM-dd HH:mm} UTC, {(r.Quick ? "**quick mode**" : "full mode")}, took {r.Elapsed.TotalMinutes:0.0} min.");
        if (r.Quick)
        {
            md.AppendLine();
            md.AppendLine("> Quick mode: small sizes and a few seconds per step, to check the harness. The figures are noisy; do not compare them with a full run.");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryMb / 1024.0:0.0} GiB memory, Linux {m.Kernel}, {m.Runtime}, nginx {m.Nginx}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Load average: {Num(m.LoadAverage, "0.00")} at start, {Num(r.LoadAverageAtEnd, "0.00")} at end; open files limit per process {m.OpenFilesLimit}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Commit `{m.Commit}`, upstream: {r.Upstream}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{r.Command}`");
        if (r.ProxyServer is { } server)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- The proxy path ran `{server}` in qwen-proxy's place");
        }
        foreach (var skipped in r.Skipped)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- Skipped {skipped}");
        }

        Targets(md, r);
        Latency(md, r.Latency, chartLink);
        Throughput(md, r.Throughput);
        Streams(md, r.Streams);
        Stutter(md, r.Stutter);
        Soak(md, r.Soak);
        foreach (var table in r.Micro)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### Micro: {table.Name}");
            md.AppendLine();
            md.AppendLine(table.Markdown.Trim());
        }

        return md.ToString();
    }

    private static void Targets(StringBuilder md, BenchResults r)
    {
        md.AppendLine();
        md.AppendLine("### Targets");
        md.AppendLine();
        md.AppendLine("| target | goal | measured | met |");
        md.AppendLine("| --- | --- | --- | --- |");
        foreach (var t in TargetCheck.Evaluate(r))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.Name} | {t.Goal} | {t.Measured} | {t.Met switch { true => "yes", false => "**no**", null => None }} |");
        }
    }

    private static void Latency(StringBuilder md, LatencyResult? latency, string chartLink)
    {
        if (latency is null)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### 1. Added latency, one request at a time");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{latency.SamplesPerPath} requests per path and kind, paths interleaved; scenario `{latency.Scenario}`. Milliseconds; first byte = first body byte; added = path minus direct.");
        md.AppendLine();
        md.AppendLine("| request | path | total p50 | total p99 | first byte p50 | first byte p99 | added p50 | added p99 | added first byte p50 | events | errors |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in latency.Rows)
        {
            var direct = latency.Rows.FirstOrDefault(x => x.Request == row.Request && x.Path == "direct");
            var isDirect = row.Path == "direct";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Request} | {row.Path} | {Ms(row.Total.Median)} | {Ms(row.Total.P99)} | {Ms(row.FirstByte.Median)} | {Ms(row.FirstByte.P99)} | " +
                $"{(isDirect ? None : Added(row.Total.Median, direct?.Total.Median))} | {(isDirect ? None : Added(row.Total.P99, direct?.Total.P99))} | " +
                $"{(isDirect ? None : Added(row.FirstByte.Median, direct?.FirstByte.Median))} | {row.MedianEvents} | {Errors(row.Errors, row.FirstError)} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"![Latency percentiles of the three paths]({chartLink})");
    }

    private static void Throughput(StringBuilder md, ThroughputResult? throughput)
    {
        if (throughput is null)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### 2. Throughput");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Closed loop, each connection sends back to back; {throughput.Rounds} round(s) of {throughput.SegmentSeconds:0.#} s per path, paths taking turns; scenario `{throughput.Scenario}`. Requests per second.");
        md.AppendLine();
        md.AppendLine("| request | connections | direct | nginx | proxy | nginx / direct | proxy / direct | proxy / nginx | errors (direct, nginx, proxy) |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var group in throughput.Rows.GroupBy(x => (x.Request, x.Connections)))
        {
            ThroughputRow? Of(string path) => group.FirstOrDefault(x => x.Path == path);
            var (d, n, p) = (Of("direct"), Of("nginx"), Of("proxy"));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key.Request} | {group.Key.Connections} | {Rps(d)} | {Rps(n)} | {Rps(p)} | {Ratio(n, d)} | {Ratio(p, d)} | {Ratio(p, n)} | " +
                $"{string.Join(", ", new[] { d, n, p }.Select(x => x is null ? None : Errors((int)x.Errors, x.FirstError)))} |");
        }
    }

    private static void Streams(StringBuilder md, StreamsResult? streams)
    {
        if (streams is null)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### 3. Many streams");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Streams opened over {streams.RampSeconds:0.#} s (longer when the server accepts slower), then all held open {streams.HoldSeconds:0.#} s while the upstream sends an event a second (scenario `{streams.Scenario}`), then released by the client. Held = open and sound at release. Memory is the path's server: the proxy's VmHWM (a fresh process), nginx's RSS summed over master and workers; per stream = peak / streams, above idle = (peak - idle) / streams.");
        md.AppendLine();
        md.AppendLine("| path | streams | held | errors | most open at once | all open after (s) | event gap p50 / p99 / max (ms) | idle RSS | peak RSS | KB per stream | KB above idle |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
        foreach (var row in streams.Rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Path} | {row.Streams} | {row.Held} | {row.Errors} | {row.PeakConcurrent} | {Num(row.OpenSeconds, "0.0")} | " +
                $"{Num(row.EventGaps.Median, "0.0")} / {Num(row.EventGaps.P99, "0.0")} / {Num(row.EventGaps.Max, "0.0")} | " +
                $"{Mb(row.IdleRssKb)} | {Mb(row.PeakRssKb)} | {Num(row.KbPerStream, "0.0")} | {Num(row.KbPerStreamAboveIdle, "0.0")} |");
        }

        foreach (var row in streams.Rows.Where(x => x.TopErrors.Count > 0))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Errors on {row.Path}: {string.Join("; ", row.TopErrors)}.");
        }
    }

    private static void Stutter(StringBuilder md, StutterResult? stutter)
    {
        if (stutter is null)
        {
            return;
        }

        md.AppendLine();
        md.AppendLine("### 4. Stutter repair: time to first token");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{stutter.SamplesPerPath} streams per path, one at a time, each given up at its first text, the paths in turn; scenario `{stutter.Scenario}`. Two proxies run side by side, one with `STUTTER_REPAIR=true`, one with `false`. Milliseconds.");
        md.AppendLine();
        md.AppendLine("| path | first token p50 | first token p99 | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var row in stutter.Rows)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Path} | {Ms(row.FirstToken.Median)} | {Ms(row.FirstToken.P99)} | {Errors(row.Errors, row.FirstError)} |");
        }
    }

    private static void Soak(StringBuilder md, SoakResult? soak)
    {
        if (soak is null)
        {
            return;
        }

        var c = soak.Counts;
        md.AppendLine();
        md.AppendLine("### 5. Soak");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"{soak.Minutes:0.#} min against the proxy, {soak.Concurrency} clients sending back to back; scenario `{soak.Scenario}`; {soak.Mix}. Resources read every {soak.SampleSeconds:0.#} s; trends are least-squares lines over the samples after a {soak.WarmupSeconds:0} s warm-up. Noise band = twice the samples' standard deviation around the line; a trend is flat when its growth over the window is within the band or the floor.");
        md.AppendLine();
        md.AppendLine("| requests | succeeded | broken by injected faults | cancelled by the client | failed otherwise | faults answered as success |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {c.Requests} | {c.Succeeded} | {c.FaultBroke} of {c.Faulted} | {c.Cancelled} of {c.CancelsPlanned} | {Flag(c.FailedOtherwise)} | {Flag(c.FaultNotSeen)} |");
        if (soak.UnexpectedErrors.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Failed otherwise: {string.Join("; ", soak.UnexpectedErrors).Replace("|", "/", StringComparison.Ordinal)}.");
        }

        md.AppendLine();
        md.AppendLine("| resource | samples | start | end | slope per min | ± std. error | growth over window | noise band | floor | flat |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in soak.Trends)
        {
            var unit = t.Unit.Length == 0 ? "" : " " + t.Unit;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {t.Metric} | {t.Samples} | {Num(t.Start, "0.0")}{unit} | {Num(t.End, "0.0")}{unit} | {Num(t.SlopePerMinute, "+0.00;-0.00;0.00")} | {Num(t.SlopeError, "0.00")} | " +
                $"{Num(t.Growth, "+0.0;-0.0;0.0")} | {Num(t.NoiseBand, "0.0")} | {t.Floor.ToString("0", CultureInfo.InvariantCulture)} | {t.Flat switch { true => "yes", false => "**no**", null => None }}{(t.Judged ? "" : " (not judged under " + Proxy.LoadClient.Soak.SoakJudge.RssJudgedFromMinutes.ToString("0", CultureInfo.InvariantCulture) + " min)")} |");
        }

        var a = soak.After;
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"After the load (the client's connections closed, {a.SettleSeconds:0} s to settle): {Count(a.Streams)} streams active, {Count(a.Fds)} open fds (idle {Count(a.IdleFds)}), " +
            $"{Count(a.Threads)} threads (idle {Count(a.IdleThreads)}), RSS {Mb(a.RssKb)} (idle {Mb(a.IdleRssKb)}): {(a.LeftOpen ? "**something left open**" : "nothing left open")}.");
        if (a.NewFds is { Count: > 0 } fds)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Open since idle: {string.Join("; ", fds)}.");
        }

        var misses = Proxy.LoadClient.Soak.SoakJudge.Misses(soak);
        md.AppendLine();
        md.AppendLine(misses.Count == 0 ? "Verdict: **pass**." : $"Verdict: **fail**: {string.Join("; ", misses)}.");
    }

    private static string Flag(long count) => count == 0 ? "0" : $"**{count.ToString(CultureInfo.InvariantCulture)}**";

    private static string Count(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? None;

    internal static string Ms(double value) => double.IsNaN(value) ? None : value.ToString("0.000", CultureInfo.InvariantCulture);

    internal static string Num(double? value, string format) =>
        value is not { } v || double.IsNaN(v) ? None : v.ToString(format, CultureInfo.InvariantCulture);

    private static string Added(double value, double? direct) =>
        direct is not { } d || double.IsNaN(d) || double.IsNaN(value)
            ? None
            : (value - d).ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);

    private static string Mb(long? kb) => kb is { } k ? (k / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : None;

    private static string Rps(ThroughputRow? row) => row is null ? None : row.RequestsPerSecond.ToString("0", CultureInfo.InvariantCulture);

    private static string Ratio(ThroughputRow? top, ThroughputRow? bottom) =>
        top is null || bottom is null || bottom.RequestsPerSecond <= 0
            ? None
            : (top.RequestsPerSecond / bottom.RequestsPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "x";

    private static string Errors(int count, string? first) =>
        count == 0 || first is null ? count.ToString(CultureInfo.InvariantCulture) : $"{count} ({first.Replace("|", "/", StringComparison.Ordinal)})";
}
