using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Cluster;

/// <summary>
/// Brings cluster mode up with the host: schema, one-time import, first read, listener. A database
/// that cannot be reached at start is logged and retried in the background (the instance reports
/// no usable credential meanwhile); a database that refuses us (bad password, no rights) stops
/// start-up.
/// </summary>
internal sealed class ClusterHostedService : IHostedService
{
    private readonly ClusterDatabase _db;
    private readonly PostgresCredentialStore _credentials;
    private readonly PostgresCooldownStore _cooldowns;
    private readonly ILogger _logger;

    public ClusterHostedService(ClusterDatabase db, PostgresCredentialStore credentials, PostgresCooldownStore cooldowns, ILogger<ClusterHostedService> logger)
    {
        _db = db;
        _credentials = credentials;
        _cooldowns = cooldowns;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _credentials.StartAsync(cancellationToken).ConfigureAwait(false);
            await _cooldowns.SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterDatabase.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested && IsTransient(ex))
        {
            ClusterLog.StartUnavailable(_logger, _db.Location, ex.GetType().Name, ex.Message);
        }
    }

    // The container disposes the database after every hosted service stopped, so a token manager
    // still stopping can use the store until then.
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static bool IsTransient(Exception ex) => ex is not Npgsql.PostgresException postgres || postgres.IsTransient;
}
