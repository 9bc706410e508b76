namespace Proxy.Actors.Cluster;

/// <summary>
/// Waits between connection attempts: <c>min * 2^attempt</c>, at most <c>max</c>, each spread by up
/// to a fifth either way so instances that lost the database together do not knock together.
/// </summary>
internal sealed class ReconnectBackoff
{
    private const double Spread = 0.2;

    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Func<double>? random = null)
    {
        _min = min;
        _max = max;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The wait before attempt <paramref name="failures"/> + 1, after that many failures in a row (1 or more).</summary>
    public TimeSpan Delay(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min(_min.Ticks * Math.Pow(2, exponent), _max.Ticks);
        var factor = 1 + (((_random() * 2) - 1) * Spread);
        return TimeSpan.FromTicks((long)Math.Round(Math.Min(ticks * factor, _max.Ticks)));
    }
}
