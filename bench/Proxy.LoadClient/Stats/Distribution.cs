namespace Proxy.LoadClient.Stats;

/// <summary>Order statistics of a set of samples (nearest-rank percentiles).</summary>
internal sealed class Distribution
{
    private readonly double[] _sorted;

    public Distribution(IEnumerable<double> samples)
    {
        _sorted = samples.ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double Median => Percentile(50);

    public double P99 => Percentile(99);

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    /// <summary>The smallest sample with at least <paramref name="percent"/>% of samples at or below it; NaN when empty.</summary>
    public double Percentile(double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        // The epsilon keeps 99.9% of 1000 at rank 999 despite binary fractions.
        var rank = (int)Math.Ceiling((percent * _sorted.Length / 100) - 1e-9);
        return _sorted[Math.Clamp(rank, 1, _sorted.Length) - 1];
    }

    /// <summary>The percentiles the latency chart draws.</summary>
    public static IReadOnlyList<double> ChartPercentiles { get; } = [50, 75, 90, 95, 99, 99.9];

    public Summary Summarize() => new(Count, Median, P99, Max,
        ChartPercentiles.Select(p => new PercentilePoint(p, Percentile(p))).ToArray());
}
