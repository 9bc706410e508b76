namespace Proxy.Actors.Resilience;

/// <summary>How long a circuit stays open before its next half-open trial.</summary>
internal static class BreakerBackoff
{
    /// <summary>
    /// <c>min(max, base · 2^(opening-1)) · (1 ± jitter)</c>, never above <see cref="BreakerOptions.MaxOpenDelay"/>.
    /// </summary>
    /// <param name="opening">1 for the first opening since the circuit was last closed, 2 for the next, ...</param>
    /// <param name="random">A value in [0, 1).</param>
    public static TimeSpan Delay(int opening, BreakerOptions options, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(opening, 1);
        var exponent = Math.Min(opening - 1, 30);
        var nominal = Math.Min(options.BaseOpenDelay.Ticks * Math.Pow(2, exponent), options.MaxOpenDelay.Ticks);
        var jittered = nominal * (1 + (options.Jitter * ((2 * random) - 1)));
        return TimeSpan.FromTicks((long)Math.Min(jittered, options.MaxOpenDelay.Ticks));
    }

    /// <summary>The nominal (un-jittered) delay of an opening, for bounds.</summary>
    public static TimeSpan Nominal(int opening, BreakerOptions options) => Delay(opening, options with { Jitter = 0 }, 0.5);
}
