using Proxy.Web.Configuration;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;

namespace Proxy.Web.Tests.RateLimiting;

public sealed class StreamConcurrencyLimiterTests
{
    [Fact]
    public void At_most_the_limit_of_streams_are_open_and_a_closed_one_frees_its_slot()
    {
        using var metrics = new ProxyMetrics();
        using var limiter = new StreamConcurrencyLimiter(new ProxyOptions { MaxConcurrentStreams = 2 }, metrics);

        var a = limiter.TryEnter();
        var b = limiter.TryEnter();
        var c = limiter.TryEnter();

        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(c);
        Assert.Equal(2, limiter.Active);

        a.Dispose();
        a.Dispose();
        var d = limiter.TryEnter();

        Assert.NotNull(d);
        Assert.Equal(2, limiter.Active);
        Assert.Equal(3, metrics.StreamsTotal);
        b.Dispose();
        d.Dispose();
        Assert.Equal(0, limiter.Active);
    }

    [Fact]
    public void Zero_means_no_limit_but_streams_are_still_counted()
    {
        using var metrics = new ProxyMetrics();
        using var limiter = new StreamConcurrencyLimiter(new ProxyOptions { MaxConcurrentStreams = 0 }, metrics);

        var slots = Enumerable.Range(0, 50).Select(_ => limiter.TryEnter()).ToList();

        Assert.All(slots, Assert.NotNull);
        Assert.Equal(50, limiter.Active);
        slots.ForEach(s => s!.Dispose());
        Assert.Equal(0, limiter.Active);
    }
}
