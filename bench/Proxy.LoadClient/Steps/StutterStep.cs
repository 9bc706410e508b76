using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Steps;

/// <summary>
/// Step 4: time to first token, one request at a time, each request given up once its first text
/// arrived. Run once with the proxy's stutter repair on and once with it off; direct alongside.
/// </summary>
internal static class StutterStep
{
    public static async Task<IReadOnlyList<StutterRow>> MeasureAsync(
        BenchOptions options, IReadOnlyList<(string Label, LoadTarget Target)> paths, TextWriter log, CancellationToken cancellationToken)
    {
        using var client = HttpClients.Create(4);
        var request = new ChatRequest(options.Model, stream: true, options.ApiKey, options.StutterScenario);
        for (var i = 0; i < options.StutterWarmup; i++)
        {
            foreach (var (_, target) in paths)
            {
                await RequestRunner.SendAsync(client, target, request, ReadMode.FirstToken, cancellationToken);
            }
        }

        var samples = paths.Select(_ => new List<RequestSample>(options.StutterSamples)).ToArray();
        for (var i = 0; i < options.StutterSamples; i++)
        {
            for (var j = 0; j < paths.Count; j++)
            {
                var k = (i + j) % paths.Count;
                samples[k].Add(await RequestRunner.SendAsync(client, paths[k].Target, request, ReadMode.FirstToken, cancellationToken));
            }
        }

        var rows = new List<StutterRow>();
        for (var k = 0; k < paths.Count; k++)
        {
            var ok = samples[k].Where(s => s is { Ok: true, FirstTokenMs: not null }).ToArray();
            var row = new StutterRow(paths[k].Label, samples[k].Count, samples[k].Count - ok.Length,
                samples[k].FirstOrDefault(s => !s.Ok)?.Error, new Distribution(ok.Select(s => s.FirstTokenMs!.Value)).Summarize());
            rows.Add(row);
            log.WriteLine($"  {row.Path,-20} first token p50 {row.FirstToken.Median,8:0.000} ms p99 {row.FirstToken.P99,8:0.000} ms  errors {row.Errors}");
        }

        return rows;
    }
}
