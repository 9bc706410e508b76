using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Proxy.Actors.Cluster;

/// <summary>
/// One instance's way into the shared PostgreSQL database: a pooled data source for reads and
/// writes, the schema (created or migrated once, retried after a failure), and the
/// <see cref="NotificationListener"/> on its own unpooled connection. The credential and cooldown
/// stores of the instance share it.
/// </summary>
internal sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _listenSource;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task? _schema;

    public ClusterDatabase(ClusterOptions options, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options.Validate();
        Time = time ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = LoggerFactory.CreateLogger<ClusterDatabase>();

        var main = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        if (string.IsNullOrEmpty(main.ApplicationName))
        {
            main.ApplicationName = Truncate($"qwen-proxy {options.InstanceId}");
        }

        Location = $"postgresql://{main.Host}:{main.Port}/{main.Database ?? main.Username}";
        // Npgsql's own logging is left off: it reports every command at Information; failures reach
        // the log through this area's own lines.
        DataSource = new NpgsqlDataSourceBuilder(main.ConnectionString).Build();

        var listen = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            ApplicationName = Truncate($"qwen-proxy listener {options.InstanceId}"),
            Pooling = false,
            TcpKeepAlive = true,
        };
        _listenSource = new NpgsqlDataSourceBuilder(listen.ConnectionString).Build();
        Listener = new NotificationListener(
            _listenSource,
            EnsureSchemaAsync,
            [ClusterSchema.CredentialsChannel, ClusterSchema.CooldownsChannel],
            Options,
            Time,
            LoggerFactory.CreateLogger<NotificationListener>());
    }

    public ClusterOptions Options { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Where the database is, for logs and status: host, port and database, never the password.</summary>
    public string Location { get; }

    /// <summary>Pooled connections for reads, writes and the refresh lock.</summary>
    public NpgsqlDataSource DataSource { get; }

    public NotificationListener Listener { get; }

    public string InstanceId => Options.InstanceId;

    /// <summary>Starts listening (once). Connection failures are retried in the background.</summary>
    public void Start() => Listener.Start();

    /// <summary>Completes once the schema is at the current version; a failed attempt is retried by the next call.</summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        Task schema;
        lock (_gate)
        {
            if (_schema is null || _schema.IsFaulted || _schema.IsCanceled)
            {
                _schema = MigrateAsync(_disposed.Token);
            }

            schema = _schema;
        }

        return schema.IsCompletedSuccessfully ? schema : schema.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await Listener.DisposeAsync().ConfigureAwait(false);
        await _listenSource.DisposeAsync().ConfigureAwait(false);
        await DataSource.DisposeAsync().ConfigureAwait(false);
        _disposed.Dispose();
    }

    /// <summary>
    /// True for the failures that mean "the database cannot be reached right now". A connection
    /// torn down while opening can surface from Npgsql as a disposed object, alone or aggregated.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.IsTransient || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal) || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException => true,
        TimeoutException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable),
        _ => false,
    };

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var found = await ClusterSchema.MigrateAsync(DataSource, _logger, cancellationToken).ConfigureAwait(false);
        ClusterLog.SchemaReady(_logger, Location, found, ClusterSchema.CurrentVersion);
    }

    private static string Truncate(string name) => name.Length <= 63 ? name : name[..63];
}
