using System.Threading.RateLimiting;
using Proxy.Web.Configuration;

namespace Proxy.Web.RateLimiting;

/// <summary>
/// One <see cref="TokenBucket"/> per client (its key, else its IP), RATE_LIMIT_RPS and
/// RATE_LIMIT_BURST; idle buckets are dropped by the partitioned limiter.
/// </summary>
internal sealed class ClientRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public ClientRateLimiter(ProxyOptions options, TimeProvider time)
    {
        Enabled = options.RateLimitEnabled;
        Limit = options.RateLimitBurst;
        TokensPerSecond = options.RateLimitRps;
        if (Enabled)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(partition =>
                RateLimitPartition.Get(partition, _ => new TokenBucket(options.RateLimitRps, options.RateLimitBurst, time)));
        }
    }

    public bool Enabled { get; }

    /// <summary>The bucket size (<c>X-RateLimit-Limit</c>).</summary>
    public int Limit { get; }

    public double TokensPerSecond { get; }

    /// <summary>Takes one permit for <paramref name="partition"/>; never waits.</summary>
    public RateLimitLease Acquire(string partition) =>
        _limiter?.AttemptAcquire(partition) ?? throw new InvalidOperationException("Rate limiting is off.");

    public void Dispose() => _limiter?.Dispose();
}
