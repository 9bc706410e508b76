namespace Proxy.LoadClient.Stats;

/// <summary>
/// A least-squares line through (x, y) points: its slope, the spread of the points around it
/// (residual standard deviation, n - 2 degrees of freedom) and the slope's standard error.
/// </summary>
internal sealed record Trend(int Count, double Slope, double Intercept, double ResidualSd, double SlopeError, double FirstX, double LastX)
{
    /// <summary>The line through <paramref name="points"/>; null with fewer than 3 points or all at one x.</summary>
    public static Trend? Fit(IReadOnlyList<(double X, double Y)> points)
    {
        var n = points.Count;
        if (n < 3)
        {
            return null;
        }

        double meanX = 0, meanY = 0;
        foreach (var (x, y) in points)
        {
            meanX += x;
            meanY += y;
        }

        meanX /= n;
        meanY /= n;
        double sxx = 0, sxy = 0;
        foreach (var (x, y) in points)
        {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
        }

        if (sxx <= 0)
        {
            return null;
        }

        var slope = sxy / sxx;
        var intercept = meanY - slope * meanX;
        double squares = 0;
        foreach (var (x, y) in points)
        {
            var residual = y - (intercept + slope * x);
            squares += residual * residual;
        }

        var sd = Math.Sqrt(squares / (n - 2));
        return new Trend(n, slope, intercept, sd, sd / Math.Sqrt(sxx), points.Min(p => p.X), points.Max(p => p.X));
    }

    /// <summary>Width of the window the points cover, in x units.</summary>
    public double Span => LastX - FirstX;

    /// <summary>What the line rises from the first point's x to the last's.</summary>
    public double Growth => Slope * Span;

    /// <summary>The line's value at <paramref name="x"/>.</summary>
    public double At(double x) => Intercept + Slope * x;
}
