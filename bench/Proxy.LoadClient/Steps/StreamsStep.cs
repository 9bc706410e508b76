using System.Diagnostics;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 3: many long streams at once on one path. They open over a ramp, each then gets an event
/// per interval until the scenario ends; the server's resident memory is sampled throughout.
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

        var hold = TimeSpan.FromMilliseconds((double)options.StreamHoldSeconds * options.StreamEventMs);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StreamRamp + hold + TimeSpan.FromSeconds(60));

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
                    () => RequestRunner.SendAsync(client, target, request, deadline.Token, recordGaps: true, gauge: gauge),
                    CancellationToken.None);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }

        log.WriteLine($"    {target.Name}: all {streams.Length} launched after {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s");
        var progress = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            while (await timer.WaitForNextTickAsync(stopSampling.Token))
            {
                log.WriteLine($"    {target.Name}: {gauge.Open} streams open, peak {gauge.Peak}");
            }
        }, CancellationToken.None);

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

        var end = memory?.Invoke();
        await stopSampling.CancelAsync();
        await sampler;
        await progress.ContinueWith(_ => { }, TaskScheduler.Default);

        long? peak = memory is null ? null : Math.Max(sampledPeak, Math.Max(end!.Value.RssKb, end.Value.HwmKb));
        var ok = samples.Where(s => s.Ok).ToArray();
        var row = new StreamsRow(
            target.Name,
            samples.Length,
            samples.Count(s => s.Status == 200),
            ok.Length,
            samples.Length - ok.Length,
            TopErrors(samples),
            gauge.Peak,
            new Distribution(ok.SelectMany(s => s.Gaps)).Summarize(),
            new Distribution(ok.Select(s => s.TotalMs)).Summarize(),
            idle,
            peak);
        log.WriteLine($"  {target.Name,-6} {row.Completed}/{row.Streams} completed, {row.Errors} errors, peak {row.PeakConcurrent} open, " +
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
            RequestRunner.SendAsync(client, target, request, timeout.Token, stopAtFirstToken: true));
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
