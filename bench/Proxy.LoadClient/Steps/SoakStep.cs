using System.Diagnostics;
using System.Globalization;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Soak;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 5: the soak. Workers send a steady mix (<see cref="SoakMix"/>) back to back for the whole
/// duration while the proxy's resources are read every few seconds; then the load stops, the
/// client's connections close, and the proxy gets up to the settle time to go back to idle.
/// </summary>
internal static class SoakStep
{
    /// <summary>The longest a worker's last request may run once the duration is over (a retried fault takes a few seconds).</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(60);

    public static async Task<SoakResult> RunAsync(
        BenchOptions options, LoadTarget proxy, int pid, TextWriter log, CancellationToken cancellationToken)
    {
        var mix = new SoakMix(options.SoakStreamShare, options.SoakFaultRate, options.SoakCancelRate, options.SoakFaults);
        var requests = mix.Kinds.ToDictionary(k => k, k => k.Request(options));
        var health = new Uri(proxy.ChatUri, "/health/detailed");
        using var sampleClient = HttpClients.Create(2);
        var sampler = new SoakSampler(pid, health, options.ApiKey, sampleClient);

        // Idle: after start-up and the readiness probe's stream has ended.
        var idle = await sampler.ReadAsync(0, cancellationToken);
        for (var i = 0; i < 20 && idle.Streams > 0; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            idle = await sampler.ReadAsync(0, cancellationToken);
        }

        var idleFds = FdSnapshot.Take(pid);
        log.WriteLine($"  soak: {options.SoakDuration.TotalMinutes:0.#} min, {options.SoakConcurrency} workers, warm-up {options.SoakWarmup.TotalSeconds:0} s, " +
                      $"a sample every {options.SoakSampleEvery.TotalSeconds:0.#} s; {mix.Describe()}");
        log.WriteLine($"  soak: idle {Describe(idle)}");

        var tally = new SoakTally();
        var samples = new List<SoakSample>();
        var started = Stopwatch.GetTimestamp();
        var endAt = started + (long)(options.SoakDuration.TotalSeconds * Stopwatch.Frequency);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = HttpClients.Create(options.SoakConcurrency * 2);
        Task[] workers;
        try
        {
            workers = Enumerable.Range(0, options.SoakConcurrency)
                .Select(i => Task.Run(() => WorkAsync(load, proxy, mix, requests, tally, new Random(options.SoakSeed * 1000 + i), endAt, drain.Token),
                    CancellationToken.None))
                .ToArray();

            var progressEvery = TimeSpan.FromMinutes(1);
            var nextProgress = progressEvery;
            using var timer = new PeriodicTimer(options.SoakSampleEvery);
            while (Stopwatch.GetTimestamp() < endAt && await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetElapsedTime(started);
                var sample = await sampler.ReadAsync(now.TotalSeconds, cancellationToken);
                samples.Add(sample);
                if (now >= nextProgress)
                {
                    nextProgress += progressEvery;
                    log.WriteLine($"  soak {now.TotalMinutes,4:0.0} min: {tally.Requests} requests, {tally.Unexpected} unexpected failures; {Describe(sample)}");
                }
            }

            drain.CancelAfter(DrainLimit);
            await Task.WhenAll(workers);
        }
        finally
        {
            load.Dispose(); // the client's connections close: what stays open on the proxy after this is its own
        }

        var settle = Stopwatch.GetTimestamp();
        var after = await sampler.ReadAsync(Stopwatch.GetElapsedTime(started).TotalSeconds, cancellationToken);
        while (SoakJudge.LeftOpen(after.Streams, after.Fds, idle.Fds) && Stopwatch.GetElapsedTime(settle) < options.SoakSettle)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            after = await sampler.ReadAsync(Stopwatch.GetElapsedTime(started).TotalSeconds, cancellationToken);
        }

        var settled = Stopwatch.GetElapsedTime(settle).TotalSeconds;
        var leftOpen = SoakJudge.LeftOpen(after.Streams, after.Fds, idle.Fds);
        var newFds = leftOpen ? FdSnapshot.Take(pid).NewSince(idleFds, pid).Take(6).ToArray() : [];
        var result = new SoakResult(
            options.SoakDuration.TotalMinutes,
            options.SoakWarmup.TotalSeconds,
            options.SoakSampleEvery.TotalSeconds,
            options.SoakConcurrency,
            options.SoakScenario,
            mix.Describe(),
            tally.Counts(),
            tally.TopUnexpected(5),
            SoakJudge.Trends(samples, options.SoakWarmup.TotalSeconds),
            new SoakAfter(after.Streams, after.Fds, idle.Fds, after.Threads, idle.Threads, after.RssKb, idle.RssKb, settled, leftOpen, newFds),
            samples);
        foreach (var line in Summary(result))
        {
            log.WriteLine(line);
        }

        return result;
    }

    /// <summary>The soak's verdict in a few lines, each starting with "soak": what CI prints.</summary>
    public static IEnumerable<string> Summary(SoakResult r)
    {
        var c = r.Counts;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"soak: {c.Requests} requests in {r.Minutes:0.#} min: {c.Succeeded} succeeded, {c.MeantToFail} failed as meant " +
            $"({c.FaultBroke} broken by injected faults, {c.Cancelled} cancelled by the client), {c.FailedOtherwise} failed otherwise, " +
            $"{c.FaultNotSeen} faults answered as success");
        foreach (var error in r.UnexpectedErrors)
        {
            yield return "soak:   unexpected: " + error;
        }

        foreach (var t in r.Trends)
        {
            yield return $"soak: {t.Metric,-12} slope {SoakJudge.Amount(t.SlopePerMinute, t.Unit)}/min +- {SoakJudge.Amount(t.SlopeError, t.Unit)}, " +
                         $"growth {SoakJudge.Amount(t.Growth, t.Unit)} vs noise band {SoakJudge.Amount(t.NoiseBand, t.Unit)} (floor {SoakJudge.Amount(t.Floor, t.Unit)}): " +
                         (t.Flat switch { true => "flat", false => "GROWS", null => "too few samples" }) +
                         (t.Judged ? "" : $" (not judged: window under {SoakJudge.RssJudgedFromMinutes:0} min)");
        }

        var a = r.After;
        yield return string.Create(CultureInfo.InvariantCulture,
            $"soak: after the load ({a.SettleSeconds:0} s to settle): {a.Streams?.ToString(CultureInfo.InvariantCulture) ?? "?"} streams open, " +
            $"fds {a.Fds?.ToString(CultureInfo.InvariantCulture) ?? "?"} (idle {a.IdleFds?.ToString(CultureInfo.InvariantCulture) ?? "?"}), " +
            $"threads {a.Threads?.ToString(CultureInfo.InvariantCulture) ?? "?"} (idle {a.IdleThreads?.ToString(CultureInfo.InvariantCulture) ?? "?"}), " +
            $"RSS {Mb(a.RssKb)} (idle {Mb(a.IdleRssKb)}){(a.LeftOpen ? ": LEFT OPEN" : "")}");
        foreach (var fd in a.NewFds ?? [])
        {
            yield return "soak:   open since idle: " + fd;
        }

        var misses = SoakJudge.Misses(r);
        yield return misses.Count == 0 ? "soak: PASS" : "soak: FAIL: " + string.Join("; ", misses);
    }

    private static async Task WorkAsync(
        HttpClient client, LoadTarget target, SoakMix mix, IReadOnlyDictionary<SoakKind, ChatRequest> requests, SoakTally tally,
        Random random, long endAt, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetTimestamp() < endAt && !cancellationToken.IsCancellationRequested)
        {
            var kind = mix.Next(random);
            RequestSample sample;
            try
            {
                if (kind.Cancel)
                {
                    // Cut part way: the stream runs about half a second, the cut comes after 100-350 ms.
                    using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(100 + random.Next(250)));
                    sample = await RequestRunner.SendAsync(client, target, requests[kind], new ReadMode(Release: cut.Token), cancellationToken);
                }
                else
                {
                    sample = await RequestRunner.SendAsync(client, target, requests[kind], cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return; // still running past the drain limit: not counted
            }

            tally.Add(kind, sample);
        }
    }

    private static string Describe(SoakSample s) => string.Create(CultureInfo.InvariantCulture,
        $"RSS {Mb(s.RssKb)}, GC heap {(s.GcHeapBytes is { } b ? (b / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "?")}, " +
        $"threads {s.Threads?.ToString(CultureInfo.InvariantCulture) ?? "?"}, fds {s.Fds?.ToString(CultureInfo.InvariantCulture) ?? "?"}, " +
        $"streams {s.Streams?.ToString(CultureInfo.InvariantCulture) ?? "?"}");

    private static string Mb(long? kb) => kb is { } k ? (k / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "?";
}
