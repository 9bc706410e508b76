using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Tests.Report;

public sealed class ResultsWriterTests
{
    [Fact]
    public async Task Written_results_read_back_to_the_same_report()
    {
        var folder = Directory.CreateTempSubdirectory("bench-results-").FullName;
        try
        {
            var results = SampleResults.Create(quick: true);
            results.Skipped.Add("nginx: not installed");
            results.Micro.Add(new MicroTable("SseScannerBenchmarks", "| Method | Mean |"));

            await ResultsWriter.WriteAsync(results, folder, CancellationToken.None);
            var back = await ResultsWriter.ReadAsync(folder, CancellationToken.None);

            Assert.Equal(MarkdownReport.Render(results, "x.svg"), MarkdownReport.Render(back, "x.svg"));
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(folder, "latest.md")), MarkdownReport.Render(back, "latency.svg"));
            Assert.True(File.Exists(Path.Combine(folder, "latency.svg")));
            Assert.True(File.Exists(Path.Combine(folder, "run-20261122-103000-quick.md")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_results_say_what_to_run()
    {
        var e = await Assert.ThrowsAsync<BenchException>(() => ResultsWriter.ReadAsync("/nonexistent-bench", CancellationToken.None));

        Assert.Equal("no results to publish: /nonexistent-bench/results.json is missing (run bench/run.sh first)", e.Message);
    }

    [Fact]
    public void Micro_tables_are_read_from_benchmarkdotnet_reports()
    {
        var folder = Directory.CreateTempSubdirectory("bench-micro-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "results"));
            File.WriteAllText(Path.Combine(folder, "results", "Proxy.Benchmarks.Streaming.RepairBenchmarks-report-github.md"), "| a |");
            File.WriteAllText(Path.Combine(folder, "results", "Proxy.Benchmarks.Streaming.RepairBenchmarks-report.csv"), "a");

            var tables = ResultsWriter.ReadMicro(folder).ToArray();

            Assert.Equal([new MicroTable("RepairBenchmarks", "| a |")], tables);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
