using System.Threading.RateLimiting;
using Proxy.Web.Metrics;

namespace Proxy.Web.RateLimiting;

/// <summary>One open stream's place under MAX_CONCURRENT_STREAMS; dispose it when the stream ends.</summary>
internal sealed class StreamSlot : IDisposable
{
    private readonly RateLimitLease? _lease;
    private readonly ProxyMetrics _metrics;
    private int _disposed;

    public StreamSlot(RateLimitLease? lease, ProxyMetrics metrics)
    {
        _lease = lease;
        _metrics = metrics;
        metrics.StreamOpened();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _lease?.Dispose();
            _metrics.StreamClosed();
        }
    }
}
