using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Report;

/// <summary>Everything one run measured; written to results.json and rendered to markdown and SVG.</summary>
internal sealed class BenchResults
{
    public required DateTimeOffset Started { get; init; }
    public required bool Quick { get; init; }
    public required string Command { get; init; }
    public required string Upstream { get; init; }

    /// <summary>The server run in the proxy's place (<c>--proxy-dll</c>), or null for qwen-proxy.</summary>
    public string? ProxyServer { get; init; }
    public required MachineInfo Machine { get; init; }
    public double? LoadAverageAtEnd { get; set; }
    public TimeSpan Elapsed { get; set; }

    /// <summary>Paths (or steps) that did not run, and why.</summary>
    public List<string> Skipped { get; } = [];

    public LatencyResult? Latency { get; set; }
    public ThroughputResult? Throughput { get; set; }
    public StreamsResult? Streams { get; set; }
    public StutterResult? Stutter { get; set; }
    public SoakResult? Soak { get; set; }

    /// <summary>BenchmarkDotNet's GitHub-markdown tables, by benchmark class.</summary>
    public List<MicroTable> Micro { get; } = [];
}

internal sealed record MicroTable(string Name, string Markdown);

internal sealed record LatencyResult(string Scenario, int SamplesPerPath, IReadOnlyList<LatencyRow> Rows);

/// <summary>One request kind on one path; times in ms, first byte = first body byte.</summary>
internal sealed record LatencyRow(
    string Request, string Path, int Samples, int Errors, string? FirstError, Summary Total, Summary FirstByte, int MedianEvents);

internal sealed record ThroughputResult(string Scenario, double SegmentSeconds, int Rounds, IReadOnlyList<ThroughputRow> Rows);

internal sealed record ThroughputRow(
    string Request, int Connections, string Path, double Seconds, long Ok, long Errors, string? FirstError, double RequestsPerSecond);

internal sealed record StreamsResult(string Scenario, double RampSeconds, double HoldSeconds, IReadOnlyList<StreamsRow> Rows);

/// <summary>
/// Many concurrent long streams on one path. Held = open and sound when the client released them
/// after the hold. Memory in KB of the path's server process(es).
/// </summary>
internal sealed record StreamsRow(
    string Path,
    int Streams,
    int Opened,
    int Held,
    int Errors,
    IReadOnlyList<string> TopErrors,
    int PeakConcurrent,
    double OpenSeconds,
    Summary EventGaps,
    long? IdleRssKb,
    long? PeakRssKb)
{
    public double? KbPerStream => PeakRssKb is { } peak ? (double)peak / Streams : null;

    public double? KbPerStreamAboveIdle => PeakRssKb is { } peak && IdleRssKb is { } idle ? (double)(peak - idle) / Streams : null;
}

internal sealed record StutterResult(string Scenario, int SamplesPerPath, IReadOnlyList<StutterRow> Rows);

internal sealed record StutterRow(string Path, int Samples, int Errors, string? FirstError, Summary FirstToken);
