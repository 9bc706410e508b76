using System.Globalization;
using System.Threading.RateLimiting;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Metrics;

namespace Proxy.Web.RateLimiting;

/// <summary>
/// MAX_CONCURRENT_STREAMS for the streaming endpoint: <see cref="TryEnter"/> before opening a
/// stream, dispose the slot when it ends. Also counts active streams for health and metrics.
/// </summary>
internal sealed class StreamConcurrencyLimiter : IDisposable
{
    private readonly ConcurrencyLimiter? _limiter;
    private readonly ProxyMetrics _metrics;

    public StreamConcurrencyLimiter(ProxyOptions options, ProxyMetrics metrics)
    {
        _metrics = metrics;
        Limit = options.MaxConcurrentStreams;
        if (Limit > 0)
        {
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = Limit, QueueLimit = 0 });
        }
    }

    /// <summary>The most streams at once; 0 means no limit.</summary>
    public int Limit { get; }

    /// <summary>Streams open right now.</summary>
    public long Active => _metrics.ActiveStreams;

    /// <summary>A slot for one more stream, or null when <see cref="Limit"/> streams are open.</summary>
    public StreamSlot? TryEnter()
    {
        if (_limiter is null)
        {
            return new StreamSlot(null, _metrics);
        }

        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }

        return new StreamSlot(lease, _metrics);
    }

    /// <summary>The answer when <see cref="TryEnter"/> found no slot: 429 with Retry-After.</summary>
    public Task WriteBusyAsync(HttpContext context) =>
        OpenAiError.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            ErrorTypes.RateLimit,
            $"Too many open streams: the proxy serves at most {Limit.ToString(CultureInfo.InvariantCulture)} at once (MAX_CONCURRENT_STREAMS). Retry shortly.",
            "too_many_streams",
            retryAfter: TimeSpan.FromSeconds(1));

    public void Dispose() => _limiter?.Dispose();
}
