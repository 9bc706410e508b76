using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Proxy.Actors.Cluster;

/// <summary>
/// One dedicated connection that <c>LISTEN</c>s on the cluster channels and hands notifications to
/// the registered <see cref="INotificationHandler"/>s. When the connection breaks (database restart,
/// <c>pg_terminate_backend</c>, network loss) it connects again with <see cref="ReconnectBackoff"/>
/// and tells the handlers to read what they may have missed. A quiet connection is checked with a
/// query every <see cref="ClusterOptions.ListenerPingInterval"/>, so a silently dead one is noticed.
/// </summary>
internal sealed class NotificationListener : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly Func<CancellationToken, Task> _beforeListen;
    private readonly IReadOnlyList<string> _channels;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private ImmutableArray<INotificationHandler> _handlers = [];
    private Task? _loop;
    private volatile bool _connected;
    private int _backendProcessId;
    private long _connectCount;
    private TaskCompletionSource _connectedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="source">Connections for listening only (not pooled).</param>
    /// <param name="beforeListen">Runs after each connect, before <c>LISTEN</c> (the schema check).</param>
    public NotificationListener(
        NpgsqlDataSource source,
        Func<CancellationToken, Task> beforeListen,
        IReadOnlyList<string> channels,
        ClusterOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _source = source;
        _beforeListen = beforeListen;
        _channels = channels;
        _options = options;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay);
    }

    /// <summary>True while the connection is open and listening: nothing is being missed.</summary>
    public bool IsConnected => _connected;

    /// <summary>The server process of the listening connection (0 while disconnected).</summary>
    public int BackendProcessId => Volatile.Read(ref _backendProcessId);

    /// <summary>How many times the listener has connected and listened.</summary>
    public long ConnectCount => Interlocked.Read(ref _connectCount);

    public IDisposable Subscribe(INotificationHandler handler)
    {
        lock (_gate)
        {
            _handlers = _handlers.Add(handler);
        }

        return new Subscription(this, handler);
    }

    /// <summary>Starts the loop once; later calls do nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Completes when the listener is connected (at once if it is).</summary>
    public Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _connected ? Task.CompletedTask : _connectedSignal.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                _stop.Cancel();
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is ObjectDisposedException))
            {
                // Npgsql's cancellation callback can meet a connection the loop is tearing down at
                // that moment; every callback has run, and the loop ends on the cancelled token.
            }

            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => failures = 0, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Whatever broke the connection, the listener connects again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                var lost = MarkDisconnected();
                var delay = _backoff.Delay(failures);
                if (lost)
                {
                    ClusterLog.ListenerLost(_logger, ex.GetType().Name, ex.Message, delay);
                }
                else
                {
                    ClusterLog.ListenerConnectFailed(_logger, failures, ex.GetType().Name, ex.Message, delay);
                }

                try
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        MarkDisconnected();
    }

    private async Task ListenAsync(Action onListening, CancellationToken stop)
    {
        var pending = new ConcurrentQueue<(string Channel, string Payload)>();
        var connection = await _source.OpenConnectionAsync(stop).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await _beforeListen(stop).ConfigureAwait(false);
            connection.Notification += (_, e) => pending.Enqueue((e.Channel, e.Payload));
            foreach (var channel in _channels)
            {
                using var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
                await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
            }

            MarkConnected(connection.ProcessID);
            onListening();
            ClusterLog.ListenerConnected(_logger, connection.ProcessID, ConnectCount);
            foreach (var handler in _handlers)
            {
                await Safely(handler, h => h.OnConnectedAsync(stop)).ConfigureAwait(false);
            }

            while (true)
            {
                await Drain(pending, stop).ConfigureAwait(false);
                if (!await connection.WaitAsync(_options.ListenerPingInterval, stop).ConfigureAwait(false))
                {
                    using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteScalarAsync(stop).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task Drain(ConcurrentQueue<(string Channel, string Payload)> pending, CancellationToken stop)
    {
        while (pending.TryDequeue(out var notification))
        {
            foreach (var handler in _handlers)
            {
                await Safely(handler, h => h.OnNotificationAsync(notification.Channel, notification.Payload, stop)).ConfigureAwait(false);
            }
        }
    }

    private async Task Safely(INotificationHandler handler, Func<INotificationHandler, Task> call)
    {
        try
        {
            await call(handler).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One handler's failure must not take the listener down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ClusterLog.HandlerFailed(_logger, handler.GetType().Name, ex.GetType().Name, ex.Message);
        }
    }

    private void MarkConnected(int processId)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _connected = true;
            Volatile.Write(ref _backendProcessId, processId);
            Interlocked.Increment(ref _connectCount);
            signal = _connectedSignal;
        }

        signal.TrySetResult();
    }

    private bool MarkDisconnected()
    {
        lock (_gate)
        {
            if (!_connected)
            {
                return false;
            }

            _connected = false;
            Volatile.Write(ref _backendProcessId, 0);
            _connectedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        foreach (var handler in _handlers)
        {
            try
            {
                handler.OnDisconnected();
            }
#pragma warning disable CA1031 // One handler's failure must not take the listener down.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ClusterLog.HandlerFailed(_logger, handler.GetType().Name, ex.GetType().Name, ex.Message);
            }
        }

        return true;
    }

    private void Unsubscribe(INotificationHandler handler)
    {
        lock (_gate)
        {
            _handlers = _handlers.Remove(handler);
        }
    }

    private sealed class Subscription(NotificationListener owner, INotificationHandler handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
