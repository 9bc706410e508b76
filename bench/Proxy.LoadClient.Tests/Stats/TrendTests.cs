using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Tests.Stats;

public sealed class TrendTests
{
    [Fact]
    public void Least_squares_line_with_its_spread_and_slope_error()
    {
        var trend = Trend.Fit([(0, 1), (1, 3), (2, 2), (3, 6)])!;

        Assert.Equal(4, trend.Count);
        Assert.Equal(1.4, trend.Slope, 12);
        Assert.Equal(0.9, trend.Intercept, 12);
        Assert.Equal(Math.Sqrt(2.1), trend.ResidualSd, 12); // residuals 0.1, 0.7, -1.7, 0.9 over n - 2
        Assert.Equal(Math.Sqrt(2.1 / 5), trend.SlopeError, 12);
        Assert.Equal(3, trend.Span);
        Assert.Equal(4.2, trend.Growth, 12);
        Assert.Equal(5.1, trend.At(3), 12);
    }

    [Fact]
    public void Points_on_a_line_have_no_spread()
    {
        var trend = Trend.Fit([(1, 12), (2, 10), (4, 6)])!;

        Assert.Equal(-2.0, trend.Slope, 12);
        Assert.Equal(14.0, trend.Intercept, 12);
        Assert.Equal(0.0, trend.ResidualSd, 12);
        Assert.Equal(0.0, trend.SlopeError, 12);
    }

    [Fact]
    public void Fewer_than_three_points_or_one_x_give_no_line()
    {
        Assert.Null(Trend.Fit([(0, 1), (1, 2)]));
        Assert.Null(Trend.Fit([(5, 1), (5, 2), (5, 3)]));
    }
}
