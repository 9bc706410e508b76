namespace Proxy.LoadClient.Stats;

/// <summary>A distribution boiled down for the results file (milliseconds).</summary>
internal sealed record Summary(int Count, double Median, double P99, double Max, IReadOnlyList<PercentilePoint> Points);

internal sealed record PercentilePoint(double Percent, double Value);
