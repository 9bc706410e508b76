using System.Runtime.InteropServices;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Stub;

namespace Proxy.LoadClient;

/// <summary>
/// <c>run [options]</c>: the benchmark (bench/run.sh builds and calls this; exit 1 when a soak ran and failed);
/// <c>update-docs [--repo DIR] [--results DIR]</c>: copy the last run into docs/BENCHMARKS.md;
/// <c>stub --port N --api-key K [--scenario S]</c>: the minimal upstream.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        try
        {
            return command switch
            {
                "run" => await RunAsync(rest),
                "update-docs" => await UpdateDocsAsync(rest),
                "stub" => await StubUpstream.RunAsync(rest),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is BenchException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("bench: " + e.Message);
            return 2;
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine(BenchOptions.Usage);
        return 2;
    }

    private static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        using var cancel = new CancellationTokenSource();
        // Ctrl+C, a closed terminal or kill: stop measuring and let the run take its servers down.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        BenchResults results;
        try
        {
            results = await new BenchRun(options, Console.Out).RunAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("bench: interrupted; servers stopped, no report written");
            return 130;
        }

        results.Micro.AddRange(ResultsWriter.ReadMicro(Path.Combine(options.ResultsDir, "micro")).Where(_ => options.IncludeMicro));
        await ResultsWriter.WriteAsync(results, options.ResultsDir, cancel.Token);
        Console.WriteLine($"bench: report written to {Path.Combine(options.ResultsDir, ResultsWriter.MarkdownFile)} in {results.Elapsed.TotalMinutes:0.0} min");
        if (options.UpdateDocs)
        {
            WriteDocs(results, options.RepoRoot);
        }

        // The soak is the one step with a pass mark a run can fail on its own: growth, something left
        // open, or a failure no fault explains.
        return results.Soak is { } soak && !Soak.SoakJudge.Passed(soak) ? 1 : 0;
    }

    private static async Task<int> UpdateDocsAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        var results = await ResultsWriter.ReadAsync(options.ResultsDir, CancellationToken.None);
        WriteDocs(results, options.RepoRoot);
        return 0;
    }

    private static void WriteDocs(BenchResults results, string repoRoot)
    {
        var docs = Path.Combine(repoRoot, "docs");
        DocsUpdater.Update(docs, MarkdownReport.Render(results, DocsUpdater.ChartFile),
            results.Latency is null ? null : ResultsWriter.Chart(results));
        Console.WriteLine($"bench: docs/BENCHMARKS.md and docs/{DocsUpdater.ChartFile} updated");
    }
}
