using Proxy.Web.Configuration;
using Proxy.Web.Logging;
using Proxy.Web.Metrics;

namespace Proxy.Web.Hosting;

/// <summary>
/// Graceful shutdown for streams. When the host starts stopping, Kestrel stops accepting and
/// <see cref="Draining"/> is cancelled (refuse new streams); open streams may run on until
/// SHUTDOWN_TIMEOUT, when <see cref="DrainingDeadline"/> is cancelled: streaming code must then
/// end its stream with an error event. The host waits a few seconds more for those last events.
/// </summary>
internal sealed class ShutdownDrain : IDisposable
{
    /// <summary>Time the host grants after the deadline for streams to write their error event.</summary>
    public static readonly TimeSpan FinalGrace = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _deadline = new();
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger<ShutdownDrain> _logger;
    private readonly CancellationTokenRegistration _stoppingRegistration;
    private ITimer? _timer;
    private int _begun;

    public ShutdownDrain(ProxyOptions options, TimeProvider time, IHostApplicationLifetime lifetime, ProxyMetrics metrics, ILogger<ShutdownDrain> logger)
    {
        _timeout = options.ShutdownTimeout;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _stoppingRegistration = lifetime.ApplicationStopping.Register(static state => ((ShutdownDrain)state!).BeginDraining(), this);
    }

    /// <summary>Cancelled when shutdown begins: no new streams should start.</summary>
    public CancellationToken Draining => _draining.Token;

    /// <summary>Cancelled SHUTDOWN_TIMEOUT after shutdown began: open streams must end now.</summary>
    public CancellationToken DrainingDeadline => _deadline.Token;

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>Starts the drain (called when the host starts stopping; safe to call twice).</summary>
    public void BeginDraining()
    {
        if (Interlocked.Exchange(ref _begun, 1) == 1)
        {
            return;
        }

        ProxyLog.Draining(_logger, DurationParser.Format(_timeout));
        _draining.Cancel();
        if (_timeout <= TimeSpan.Zero)
        {
            EndDrain();
            return;
        }

        _timer = _time.CreateTimer(static state => ((ShutdownDrain)state!).EndDrain(), this, _timeout, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _stoppingRegistration.Dispose();
        _timer?.Dispose();
        _draining.Dispose();
        _deadline.Dispose();
    }

    private void EndDrain()
    {
        var active = _metrics.ActiveStreams;
        if (active > 0)
        {
            ProxyLog.DrainDeadline(_logger, (int)active);
        }

        try
        {
            _deadline.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The host was disposed first; nothing is left to end.
        }
    }
}
