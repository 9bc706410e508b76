namespace Proxy.LoadClient.Stats;

/// <summary>A distribution boiled down for the results file (milliseconds).</summary>
internal sealed record Summary(int Count, double Median, double P99, double Max, IReadOnlyList<PercentilePoint> Points)
{
    public static Summary Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, []);
}

internal sealed record PercentilePoint(double Percent, double Value);
