using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Tests.Report;

public sealed class MarkdownReportTests
{
    [Fact]
    public void Report_names_date_machine_and_command()
    {
        var md = MarkdownReport.Render(SampleResults.Create(), "chart.svg");

        Assert.StartsWith("Run of 2026-11-22 10:30 UTC, full mode, took 7.5 min.\n", md, StringComparison.Ordinal);
        Assert.Contains("- Machine: 2 cores (AMD EPYC), 23.5 GiB memory, Linux 6.18.0, .NET 10.0.12, nginx 1.22.1\n", md, StringComparison.Ordinal);
        Assert.Contains("- Command: `bench/run.sh`\n", md, StringComparison.Ordinal);
        Assert.Contains("![Latency percentiles of the three paths](chart.svg)", md, StringComparison.Ordinal);
        Assert.DoesNotContain("Quick mode", md, StringComparison.Ordinal);
        Assert.DoesNotContain("in qwen-proxy's place", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_says_when_another_server_ran_in_the_proxys_place()
    {
        var sample = SampleResults.Create();
        var results = new BenchResults
        {
            Started = sample.Started,
            Quick = false,
            Command = "bench/run.sh --proxy-dll bench/Proxy.BaselinePipe/bin/Release/net10.0/Proxy.BaselinePipe.dll",
            Upstream = sample.Upstream,
            Machine = sample.Machine,
            ProxyServer = "bench/Proxy.BaselinePipe/bin/Release/net10.0/Proxy.BaselinePipe.dll",
        };

        var md = MarkdownReport.Render(results, "chart.svg");

        Assert.Contains("- The proxy path ran `bench/Proxy.BaselinePipe/bin/Release/net10.0/Proxy.BaselinePipe.dll` in qwen-proxy's place\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Quick_run_says_its_figures_are_noisy()
    {
        var md = MarkdownReport.Render(SampleResults.Create(quick: true), "chart.svg");

        Assert.Contains("**quick mode**", md, StringComparison.Ordinal);
        Assert.Contains("> Quick mode: small sizes and a few seconds per step, to check the harness. The figures are noisy", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_rows_show_what_each_path_adds_to_direct()
    {
        var md = MarkdownReport.Render(SampleResults.Create(), "chart.svg");

        Assert.Contains("| non-streaming | direct | 0.200 | 0.500 | 0.180 | 0.450 | — | — | — | 0 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("| non-streaming | proxy | 0.250 | 0.900 | 0.225 | 0.810 | +0.050 | +0.400 | +0.045 | 0 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("| streaming | nginx | 0.500 | 1.000 | 0.450 | 0.900 | +0.100 | +0.200 | +0.090 | 21 | 0 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Throughput_rows_carry_the_ratios()
    {
        var md = MarkdownReport.Render(SampleResults.Create(), "chart.svg");

        Assert.Contains("| non-streaming | 64 | 10000 | 10000 | 8000 | 1.00x | 0.80x | 0.80x | 0, 0, 0 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Streams_rows_carry_memory_per_stream()
    {
        var md = MarkdownReport.Render(SampleResults.Create(proxyStreamErrors: 3), "chart.svg");

        Assert.Contains("| proxy | 8000 | 7997 | 3 | 8000 | 9.5 | 1000.0 / 1010.0 / 2020.0 | 78.1 MB | 195.3 MB | 25.0 | 15.0 |", md, StringComparison.Ordinal);
        Assert.Contains("Errors on proxy: 3 x HTTP 502.", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Stutter_rows_list_repair_on_and_off()
    {
        var md = MarkdownReport.Render(SampleResults.Create(), "chart.svg");

        Assert.Contains("| proxy, repair on | 22.500 | 24.000 | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("| proxy, repair off | 20.500 | 22.000 | 0 |", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Skipped_path_is_named_with_its_reason()
    {
        var r = SampleResults.Create();
        r.Skipped.Add("proxy: the proxy does not serve chat yet");

        var md = MarkdownReport.Render(r, "chart.svg");

        Assert.Contains("- Skipped proxy: the proxy does not serve chat yet\n", md, StringComparison.Ordinal);
    }

    [Fact]
    public void Soak_section_gives_outcomes_trends_and_verdict()
    {
        var r = SampleResults.Create();
        r.Soak = Soak.SoakJudgeTests.Result() with
        {
            Counts = Soak.SoakJudgeTests.Counts() with { FailedOtherwise = 3 },
            UnexpectedErrors = ["3 x stream: HTTP 503 circuit_open"],
        };

        var md = MarkdownReport.Render(r, "chart.svg");

        Assert.Contains("| 1000 | 874 | 80 of 80 | 46 of 46 | **3** | 0 |", md, StringComparison.Ordinal);
        Assert.Contains("Failed otherwise: 3 x stream: HTTP 503 circuit_open.", md, StringComparison.Ordinal);
        Assert.Contains("| RSS | 4 | 120.3 MB | 119.7 MB | -0.40 | 0.85 | -0.6 | 1.9 | 8 | yes (not judged under 5 min) |", md, StringComparison.Ordinal);
        Assert.Contains("0 streams active, 22 open fds (idle 20), 18 threads (idle 16), RSS 117.2 MB (idle 78.1 MB): nothing left open.", md, StringComparison.Ordinal);
        Assert.Contains("Verdict: **fail**: 3 requests failed that no fault or cancel was meant to break.", md, StringComparison.Ordinal);
    }
}
