using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 1: one request at a time, non-streaming and streaming, the paths interleaved request by
/// request (rotating who goes first) so a burst of noise on the machine hits all of them alike.
/// </summary>
internal static class LatencyStep
{
    public static async Task<LatencyResult> RunAsync(BenchOptions options, IReadOnlyList<LoadTarget> targets, TextWriter log, CancellationToken cancellationToken)
    {
        using var client = HttpClients.Create(4);
        var rows = new List<LatencyRow>();
        foreach (var stream in new[] { false, true })
        {
            var request = new ChatRequest(options.Model, stream, options.ApiKey, options.LatencyScenario);
            var kind = RequestName(stream);
            for (var i = 0; i < options.LatencyWarmup; i++)
            {
                foreach (var target in targets)
                {
                    await RequestRunner.SendAsync(client, target, request, cancellationToken);
                }
            }

            var samples = targets.ToDictionary(t => t.Path, _ => new List<RequestSample>(options.LatencySamples));
            for (var i = 0; i < options.LatencySamples; i++)
            {
                for (var j = 0; j < targets.Count; j++)
                {
                    var target = targets[(i + j) % targets.Count];
                    samples[target.Path].Add(await RequestRunner.SendAsync(client, target, request, cancellationToken));
                }
            }

            foreach (var target in targets)
            {
                var row = Summarize(kind, target.Name, samples[target.Path]);
                rows.Add(row);
                log.WriteLine($"  {kind,-13} {target.Name,-6} total p50 {row.Total.Median,8:0.000} ms p99 {row.Total.P99,8:0.000} ms" +
                              $"  first byte p50 {row.FirstByte.Median,8:0.000} ms  errors {row.Errors}");
            }
        }

        return new LatencyResult(options.LatencyScenario, options.LatencySamples, rows);
    }

    public static string RequestName(bool stream) => stream ? "streaming" : "non-streaming";

    internal static LatencyRow Summarize(string kind, string path, IReadOnlyList<RequestSample> samples)
    {
        var ok = samples.Where(s => s.Ok).ToArray();
        var events = ok.Select(s => (double)s.Events).ToArray();
        return new LatencyRow(
            kind,
            path,
            samples.Count,
            samples.Count - ok.Length,
            samples.FirstOrDefault(s => !s.Ok)?.Error,
            new Distribution(ok.Select(s => s.TotalMs)).Summarize(),
            new Distribution(ok.Select(s => s.FirstByteMs)).Summarize(),
            events.Length == 0 ? 0 : (int)new Distribution(events).Median);
    }
}
