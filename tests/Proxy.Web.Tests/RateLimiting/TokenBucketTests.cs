using System.Threading.RateLimiting;
using Proxy.Web.RateLimiting;

namespace Proxy.Web.Tests.RateLimiting;

public sealed class TokenBucketTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void A_full_bucket_allows_a_burst_then_refuses_with_retry_after()
    {
        using var bucket = new TokenBucket(tokensPerSecond: 2, capacity: 3, _time);

        var leases = Enumerable.Range(0, 4).Select(_ => bucket.AttemptAcquire()).ToList();

        Assert.Equal([true, true, true, false], leases.Select(l => l.IsAcquired));
        Assert.Equal([2L, 1L, 0L, 0L], leases.Select(l => l.TryGetMetadata(RateLimitMetadata.Remaining, out var r) ? r : -1));
        Assert.True(leases[3].TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(0.5), retryAfter);
        Assert.True(leases[3].TryGetMetadata(RateLimitMetadata.Reset, out var reset));
        Assert.Equal(TimeSpan.FromSeconds(1.5), reset);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Tokens_come_back_at_the_configured_rate_and_never_above_capacity()
    {
        using var bucket = new TokenBucket(tokensPerSecond: 2, capacity: 3, _time);
        for (var i = 0; i < 3; i++)
        {
            bucket.AttemptAcquire().Dispose();
        }

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(bucket.AttemptAcquire().IsAcquired);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.AttemptAcquire().IsAcquired);
        Assert.False(bucket.AttemptAcquire().IsAcquired);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, bucket.GetStatistics()!.CurrentAvailablePermits);
    }

    [Fact]
    public void Time_spent_full_is_not_banked()
    {
        using var bucket = new TokenBucket(tokensPerSecond: 1, capacity: 2, _time);
        _time.Advance(TimeSpan.FromSeconds(100));

        Assert.True(bucket.AttemptAcquire().IsAcquired);
        Assert.True(bucket.AttemptAcquire().IsAcquired);
        Assert.False(bucket.AttemptAcquire().IsAcquired);
    }

    [Fact]
    public void Idle_duration_counts_from_when_the_bucket_became_full()
    {
        using var bucket = new TokenBucket(tokensPerSecond: 1, capacity: 2, _time);
        bucket.AttemptAcquire().Dispose();
        Assert.Null(bucket.IdleDuration);

        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(2), bucket.IdleDuration);
    }
}
