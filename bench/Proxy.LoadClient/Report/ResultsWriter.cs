using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Proxy.LoadClient.Report;

/// <summary>Writes a run into the results folder: results.json, latest.md, latency.svg, and a dated copy of the markdown.</summary>
internal static class ResultsWriter
{
    public const string MarkdownFile = "latest.md";
    public const string ChartFile = "latency.svg";
    public const string JsonFile = "results.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
    };

    public static async Task WriteAsync(BenchResults results, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, JsonFile), JsonSerializer.Serialize(results, Json), cancellationToken);
        var markdown = MarkdownReport.Render(results, ChartFile);
        await File.WriteAllTextAsync(Path.Combine(folder, MarkdownFile), markdown, cancellationToken);
        var stamp = results.Started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(Path.Combine(folder, $"run-{stamp}{(results.Quick ? "-quick" : "")}.md"), markdown, cancellationToken);
        if (results.Latency is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, ChartFile), Chart(results), cancellationToken);
        }
    }

    public static async Task<BenchResults> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        var file = Path.Combine(folder, JsonFile);
        if (!File.Exists(file))
        {
            throw new BenchException($"no results to publish: {file} is missing (run bench/run.sh first)");
        }

        await using var stream = File.OpenRead(file);
        return await JsonSerializer.DeserializeAsync<BenchResults>(stream, Json, cancellationToken)
               ?? throw new BenchException($"{file} is empty");
    }

    public static string Chart(BenchResults results) =>
        LatencyChart.Render(results.Latency!,
            $"One request at a time, {results.Started:yyyy-MM-dd}{(results.Quick ? " (quick mode, noisy)" : "")}");

    /// <summary>Reads the BenchmarkDotNet GitHub-markdown reports from <paramref name="folder"/>, if any.</summary>
    public static IEnumerable<MicroTable> ReadMicro(string folder)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*-report-github.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file)[..^"-report-github.md".Length];
            yield return new MicroTable(name.Split('.')[^1], File.ReadAllText(file));
        }
    }
}
