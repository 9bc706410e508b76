using System.Diagnostics;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 2: closed-loop throughput: N connections each send requests back to back. The run is cut
/// into short segments and the paths take turns, so a slow minute on the machine is shared.
/// </summary>
internal static class ThroughputStep
{
    public static async Task<ThroughputResult> RunAsync(BenchOptions options, IReadOnlyList<LoadTarget> targets, TextWriter log, CancellationToken cancellationToken)
    {
        var rows = new List<ThroughputRow>();
        foreach (var connections in options.ThroughputConnections)
        {
            foreach (var stream in new[] { false, true })
            {
                var request = new ChatRequest(options.Model, stream, options.ApiKey, options.LatencyScenario);
                var clients = targets.ToDictionary(t => t.Path, _ => HttpClients.Create(connections));
                try
                {
                    foreach (var target in targets)
                    {
                        await RunSegmentAsync(clients[target.Path], target, request, connections, options.ThroughputWarmup, cancellationToken);
                    }

                    var totals = targets.ToDictionary(t => t.Path, _ => new Segment(0, 0, 0, null));
                    for (var round = 0; round < options.ThroughputRounds; round++)
                    {
                        for (var j = 0; j < targets.Count; j++)
                        {
                            var target = targets[(round + j) % targets.Count];
                            var segment = await RunSegmentAsync(clients[target.Path], target, request, connections,
                                options.ThroughputSegment, cancellationToken);
                            totals[target.Path] = totals[target.Path].Add(segment);
                        }
                    }

                    foreach (var target in targets)
                    {
                        var t = totals[target.Path];
                        var row = new ThroughputRow(LatencyStep.RequestName(stream), connections, target.Name, t.Seconds, t.Ok, t.Errors,
                            t.FirstError, t.Ok / t.Seconds);
                        rows.Add(row);
                        log.WriteLine($"  {row.Request,-13} c={connections,-4} {target.Name,-6} {row.RequestsPerSecond,9:0} req/s  errors {row.Errors}");
                    }
                }
                finally
                {
                    foreach (var client in clients.Values)
                    {
                        client.Dispose();
                    }
                }
            }
        }

        return new ThroughputResult(options.LatencyScenario, options.ThroughputSegment.TotalSeconds, options.ThroughputRounds, rows);
    }

    private static async Task<Segment> RunSegmentAsync(
        HttpClient client, LoadTarget target, ChatRequest request, int connections, TimeSpan duration, CancellationToken cancellationToken)
    {
        long ok = 0, errors = 0;
        string? firstError = null;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        // Every connection sends at least one request, so a segment whose workers start late on a
        // busy machine still measures something rather than nothing.
        async Task WorkAsync()
        {
            do
            {
                var sample = await RequestRunner.SendAsync(client, target, request, cancellationToken);
                if (sample.Ok)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, sample.Error, null);
                }
            }
            while (Stopwatch.GetTimestamp() < deadline);
        }

        var workers = Enumerable.Range(0, connections).Select(_ => WorkAsync()).ToArray();
        await Task.WhenAll(workers);
        return new Segment(Stopwatch.GetElapsedTime(start).TotalSeconds, ok, errors, firstError);
    }

    private sealed record Segment(double Seconds, long Ok, long Errors, string? FirstError)
    {
        public Segment Add(Segment other) =>
            new(Seconds + other.Seconds, Ok + other.Ok, Errors + other.Errors, FirstError ?? other.FirstError);
    }
}
