using Proxy.LoadClient.Stats;

namespace Proxy.LoadClient.Tests.Stats;

public sealed class DistributionTests
{
    [Fact]
    public void Percentiles_use_the_nearest_rank()
    {
        var d = new Distribution(Enumerable.Range(1, 100).Select(i => (double)(101 - i)));

        Assert.Equal(50, d.Median);
        Assert.Equal(99, d.P99);
        Assert.Equal(100, d.Percentile(99.9));
        Assert.Equal(1, d.Percentile(0));
        Assert.Equal(100, d.Max);
    }

    [Fact]
    public void Small_sets_round_the_rank_up()
    {
        var d = new Distribution([3.0, 1.0, 2.0]);

        Assert.Equal(2, d.Median);
        Assert.Equal(3, d.P99);
    }

    [Fact]
    public void Empty_set_has_no_values()
    {
        var s = new Distribution([]).Summarize();

        Assert.Equal(0, s.Count);
        Assert.True(double.IsNaN(s.Median));
        Assert.All(s.Points, p => Assert.True(double.IsNaN(p.Value)));
    }

    [Fact]
    public void Summary_carries_the_chart_percentiles()
    {
        var s = new Distribution(Enumerable.Range(1, 1000).Select(i => (double)i)).Summarize();

        Assert.Equal([50, 75, 90, 95, 99, 99.9], s.Points.Select(p => p.Percent));
        Assert.Equal([500, 750, 900, 950, 990, 999], s.Points.Select(p => p.Value));
    }
}
