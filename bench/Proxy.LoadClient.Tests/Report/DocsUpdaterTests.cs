using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Tests.Report;

public sealed class DocsUpdaterTests
{
    [Fact]
    public void Splice_replaces_only_the_marked_section()
    {
        var doc = $"# Benchmarks\n\nHow to run.\n\n{DocsUpdater.Begin}\nold table\n{DocsUpdater.End}\n\nNotes.\n";

        var updated = DocsUpdater.Splice(doc, "new table\n\n");

        Assert.Equal($"# Benchmarks\n\nHow to run.\n\n{DocsUpdater.Begin}\nnew table\n{DocsUpdater.End}\n\nNotes.\n", updated);
        Assert.Equal(updated, DocsUpdater.Splice(updated, "new table"));
    }

    [Fact]
    public void Document_without_markers_is_refused()
    {
        var e = Assert.Throws<BenchException>(() => DocsUpdater.Splice("# Benchmarks\n", "x"));

        Assert.Equal("docs/BENCHMARKS.md has no <!-- bench:latest:begin --> ... <!-- bench:latest:end --> section to fill", e.Message);
    }

    [Fact]
    public void Update_writes_the_report_and_the_chart_beside_it()
    {
        var folder = Directory.CreateTempSubdirectory("bench-docs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "BENCHMARKS.md"), $"intro\n{DocsUpdater.Begin}\n{DocsUpdater.End}\n");

            DocsUpdater.Update(folder, "table", "<svg/>");

            Assert.Equal($"intro\n{DocsUpdater.Begin}\ntable\n{DocsUpdater.End}\n", File.ReadAllText(Path.Combine(folder, "BENCHMARKS.md")));
            Assert.Equal("<svg/>", File.ReadAllText(Path.Combine(folder, "benchmarks-latency.svg")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
