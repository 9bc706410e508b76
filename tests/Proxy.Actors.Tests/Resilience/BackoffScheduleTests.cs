using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class BackoffScheduleTests
{
    private static readonly BreakerOptions Options = new()
    {
        BaseOpenDelay = TimeSpan.FromSeconds(5),
        MaxOpenDelay = TimeSpan.FromMinutes(5),
        Jitter = 0.2,
    };

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 80)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(50, 300)]
    public void Nominal_delay_doubles_per_opening_up_to_the_maximum(int opening, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BreakerBackoff.Nominal(opening, Options));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(20)]
    public void Jitter_spreads_each_delay_within_twenty_percent_and_never_past_the_maximum(int opening)
    {
        var nominal = BreakerBackoff.Nominal(opening, Options);

        var low = BreakerBackoff.Delay(opening, Options, 0.0);
        var high = BreakerBackoff.Delay(opening, Options, 0.999_999);

        Assert.Equal(nominal * 0.8, low);
        var ceiling = nominal * 1.2 < Options.MaxOpenDelay ? nominal * 1.2 : Options.MaxOpenDelay;
        Assert.InRange(high, ceiling - TimeSpan.FromMilliseconds(1), ceiling);
        // Against the ceiling, not against high: a draw above 0.999999 lands past high and below the ceiling.
        Assert.All(Enumerable.Range(0, 1_000).Select(_ => BreakerBackoff.Delay(opening, Options, Random.Shared.NextDouble())),
            d => Assert.InRange(d, low, ceiling));
    }
}
