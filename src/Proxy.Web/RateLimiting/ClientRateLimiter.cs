using System.Threading.RateLimiting;
using Proxy.Web.Configuration;

namespace Proxy.Web.RateLimiting;

/// <summary>
/// The platform's token buckets, one per client (its key, else its IP), in a
/// <see cref="PartitionedRateLimiter"/> that refills them all from one timer and drops idle ones.
/// A bucket holds <c>RATE_LIMIT_BURST</c> tokens and gets <c>RATE_LIMIT_RPS</c> back each second
/// (see <see cref="BucketOptions"/> for rates that are not whole numbers); nothing ever queues.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public ClientRateLimiter(ProxyOptions options)
    {
        Enabled = options.RateLimitEnabled;
        Limit = options.RateLimitBurst;
        TokensPerSecond = options.RateLimitRps;
        if (Enabled)
        {
            Bucket = BucketOptions(options.RateLimitRps, options.RateLimitBurst);
            var bucket = Bucket;
            _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => bucket));
        }
    }

    public bool Enabled { get; }

    /// <summary>The bucket size (<c>X-RateLimit-Limit</c>).</summary>
    public int Limit { get; }

    public double TokensPerSecond { get; }

    /// <summary>Each client's bucket; null when rate limiting is off.</summary>
    public TokenBucketRateLimiterOptions? Bucket { get; }

    /// <summary>
    /// A bucket of <paramref name="burst"/> tokens refilled at <paramref name="tokensPerSecond"/>: the
    /// platform adds whole tokens once per period, so the period is as long as the rate needs to
    /// give a whole number of them (10/s: 10 each second; 0.5/s: 1 every 2 s; 2.5/s: 3 every 1.2 s).
    /// </summary>
    public static TokenBucketRateLimiterOptions BucketOptions(double tokensPerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        var tokensPerPeriod = (int)Math.Min(Math.Ceiling(tokensPerSecond), int.MaxValue);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / tokensPerSecond),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>Takes one permit for <paramref name="partition"/>; never waits.</summary>
    public RateLimitLease Acquire(string partition) =>
        _limiter?.AttemptAcquire(partition) ?? throw new InvalidOperationException("Rate limiting is off.");

    /// <summary>Whole permits left in <paramref name="partition"/>'s bucket.</summary>
    public long Remaining(string partition) => _limiter?.GetStatistics(partition)?.CurrentAvailablePermits ?? 0;

    /// <summary>How long until a bucket with <paramref name="remaining"/> tokens is full again, at the latest.</summary>
    public TimeSpan TimeToFull(long remaining)
    {
        if (Bucket is not { } bucket || remaining >= bucket.TokenLimit)
        {
            return TimeSpan.Zero;
        }

        var periods = (long)Math.Ceiling((bucket.TokenLimit - remaining) / (double)bucket.TokensPerPeriod);
        return bucket.ReplenishmentPeriod * periods;
    }

    public void Dispose() => _limiter?.Dispose();
}
