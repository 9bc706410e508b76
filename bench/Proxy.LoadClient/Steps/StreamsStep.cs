using System.Diagnostics;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 3: many long streams at once on one path. They open over a ramp (stretched when the server
/// accepts slower), then, once every one has opened or failed, all are held for the hold time while
/// the upstream sends an event per interval, and then released by the client. The server's
/// resident memory is sampled throughout.
/// </summary>
internal static class StreamsStep
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Most streams waiting for their headers at once: a server slower to accept than the ramp
    /// stretches the ramp instead of overflowing its accept queue.</summary>
    private const int MaxOpening = 256;

    /// <param name="memory">Reads the path's server memory (RSS, HWM in KB), or null when it is not ours to measure.</param>
    public static async Task<StreamsRow> RunAsync(
        BenchOptions options, LoadTarget target, Func<(long RssKb, long HwmKb)>? memory, TextWriter log, CancellationToken cancellationToken)
    {
        var request = new ChatRequest(options.Model, stream: true, options.ApiKey, options.StreamsScenario);
        using var client = HttpClients.Create(int.MaxValue);
        await WarmUpAsync(client, target, request, cancellationToken);

        long? idle = memory is null ? null : memory().RssKb;
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long sampledPeak = 0;
        var gauge = new StreamGauge();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(SampleEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(stopSampling.Token))
                {
                    if (memory is not null)
                    {
                        sampledPeak = Math.Max(sampledPeak, memory().RssKb);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Step over.
            }
        }, CancellationToken.None);

        var hold = TimeSpan.FromSeconds(options.StreamHoldSeconds);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StreamRamp + BenchOptions.StreamOpenSlack + hold + TimeSpan.FromSeconds(60));
        using var release = new CancellationTokenSource();

        var holdMode = new ReadMode(RecordGaps: true, Gauge: gauge, Release: release.Token);
        var streams = new Task<RequestSample>[options.Streams];
        var start = Stopwatch.GetTimestamp();
        var launched = 0;
        while (launched < streams.Length)
        {
            var scheduled = Math.Ceiling(Stopwatch.GetElapsedTime(start) / options.StreamRamp * streams.Length) + 1;
            var due = (int)Math.Min(streams.Length, Math.Min(scheduled, gauge.Settled + MaxOpening));
            for (; launched < due; launched++)
            {
                streams[launched] = Task.Run(
                    () => RequestRunner.SendAsync(client, target, request, holdMode, deadline.Token),
                    CancellationToken.None);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        // Hold only once every stream has opened (or failed to), so all of them are open together.
        var openBy = options.StreamRamp + BenchOptions.StreamOpenSlack;
        while (gauge.Settled < streams.Length && Stopwatch.GetElapsedTime(start) < openBy)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }

        var openSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        log.WriteLine($"    {target.Name}: {gauge.Open} of {streams.Length} open after {openSeconds:0.0} s; holding {hold.TotalSeconds:0} s");
        var holdEnd = Stopwatch.GetTimestamp() + (long)(hold.TotalSeconds * Stopwatch.Frequency);
        var progressEvery = TimeSpan.FromSeconds(5);
        for (var left = hold; left > TimeSpan.Zero; left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), holdEnd))
        {
            if (left > progressEvery)
            {
                await Task.Delay(progressEvery, cancellationToken);
                log.WriteLine($"    {target.Name}: {gauge.Open} streams open");
            }
            else
            {
                // Whole milliseconds: a delay under one would return at once and spin.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), cancellationToken);
            }
        }

        var end = memory?.Invoke();
        await release.CancelAsync();
        RequestSample[] samples;
        try
        {
            samples = await Task.WhenAll(streams);
        }
        catch (OperationCanceledException)
        {
            samples = streams.Select(t => t.IsCompletedSuccessfully
                ? t.Result
                : new RequestSample(false, 0, "no end within the step's deadline", 0, 0, null, 0, [])).ToArray();
        }

        await stopSampling.CancelAsync();
        await sampler;

        long? peak = memory is null ? null : Math.Max(sampledPeak, Math.Max(end!.Value.RssKb, end.Value.HwmKb));
        var ok = samples.Where(s => s.Ok).ToArray();
        var row = new StreamsRow(
            target.Name,
            samples.Length,
            samples.Count(s => s.Status == 200),
            samples.Count(s => s is { Ok: true, Released: true }),
            samples.Length - ok.Length,
            TopErrors(samples),
            gauge.Peak,
            openSeconds,
            new Distribution(ok.SelectMany(s => s.Gaps)).Summarize(),
            idle,
            peak);
        log.WriteLine($"  {target.Name,-6} {row.Held}/{row.Streams} held {hold.TotalSeconds:0} s, {row.Errors} errors, peak {row.PeakConcurrent} open, " +
                      $"gap p99 {row.EventGaps.P99:0.0} ms" +
                      (row.KbPerStream is { } kb ? $", peak RSS {peak / 1024.0:0.0} MB = {kb:0.0} KB/stream" : ""));
        return row;
    }

    /// <summary>A few short reads so stale keep-alive connections and cold code are out of the way.</summary>
    private static async Task WarmUpAsync(HttpClient client, LoadTarget target, ChatRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var warm = Enumerable.Range(0, 16).Select(_ =>
            RequestRunner.SendAsync(client, target, request, ReadMode.FirstToken, timeout.Token));
        await Task.WhenAll(warm);
    }

    internal static IReadOnlyList<string> TopErrors(IEnumerable<RequestSample> samples) =>
        samples.Where(s => !s.Ok)
            .GroupBy(s => s.Error ?? "unknown", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(3)
            .Select(g => $"{g.Count()} x {g.Key}")
            .ToArray();
}
