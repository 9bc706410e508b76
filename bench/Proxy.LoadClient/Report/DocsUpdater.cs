namespace Proxy.LoadClient.Report;

/// <summary>Puts the latest report between the markers of docs/BENCHMARKS.md and the chart beside it.</summary>
internal static class DocsUpdater
{
    public const string Begin = "<!-- bench:latest:begin -->";
    public const string End = "<!-- bench:latest:end -->";
    public const string ChartFile = "benchmarks-latency.svg";

    public static void Update(string docsFolder, string markdown, string? chart)
    {
        Directory.CreateDirectory(docsFolder);
        var doc = Path.Combine(docsFolder, "BENCHMARKS.md");
        var text = File.Exists(doc) ? File.ReadAllText(doc) : "# Benchmarks\n\n" + Begin + "\n" + End + "\n";
        File.WriteAllText(doc, Splice(text, markdown));
        if (chart is not null)
        {
            File.WriteAllText(Path.Combine(docsFolder, ChartFile), chart);
        }
    }

    /// <summary>Replaces what stands between the markers; the rest of the document is left as it is.</summary>
    internal static string Splice(string document, string latest)
    {
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new BenchException($"docs/BENCHMARKS.md has no {Begin} ... {End} section to fill");
        }

        var head = document[..(begin + Begin.Length)];
        return head + "\n" + latest.TrimEnd() + "\n" + document[end..];
    }
}
