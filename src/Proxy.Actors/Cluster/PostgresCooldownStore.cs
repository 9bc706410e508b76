using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Cluster;

/// <summary>
/// Quota cooldowns shared through the <c>proxy_cooldowns</c> table: one instance's 429
/// <c>insufficient_quota</c> rests the account on every instance. A cooldown only ever grows
/// (<c>GREATEST</c>), is announced by <c>NOTIFY</c>, and is read again for every attached account
/// when the listener reconnects, so an instance that was away learns what it missed.
/// </summary>
internal sealed class PostgresCooldownStore : ICooldownStore, INotificationHandler, IDisposable
{
    private const string UpsertRow =
        """
        WITH written AS (
            INSERT INTO proxy_cooldowns AS c (account, until, reason, updated_by)
            VALUES (@account, @until, @reason, @updated_by)
            ON CONFLICT (account) DO UPDATE SET
                reason = CASE WHEN EXCLUDED.until > c.until THEN EXCLUDED.reason ELSE c.reason END,
                until = GREATEST(c.until, EXCLUDED.until),
                updated_at = now(),
                updated_by = CASE WHEN EXCLUDED.until > c.until THEN EXCLUDED.updated_by ELSE c.updated_by END
            RETURNING account)
        SELECT pg_notify(@channel, account) FROM written
        """;

    private const string SelectRows = "SELECT account, until, reason, updated_by FROM proxy_cooldowns WHERE account = ANY(@accounts)";

    private readonly ClusterDatabase _db;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly IDisposable _listening;
    private ImmutableDictionary<string, AccountCooldown> _attached = ImmutableDictionary<string, AccountCooldown>.Empty;

    public PostgresCooldownStore(ClusterDatabase db, ILogger<PostgresCooldownStore>? logger = null)
    {
        _db = db;
        _logger = logger ?? NullLogger<PostgresCooldownStore>.Instance;
        _listening = db.Listener.Subscribe(this);
    }

    /// <summary>Raised after a cooldown from the table was applied to an attached account (true when it changed it).</summary>
    internal event Action<string, DateTimeOffset, bool>? Applied;

    /// <summary>
    /// Feeds cooldowns published by any instance into <paramref name="cooldown"/>, starting with the
    /// one the table holds now. Dispose the result to stop.
    /// </summary>
    public IDisposable Attach(AccountCooldown cooldown)
    {
        ArgumentNullException.ThrowIfNull(cooldown);
        lock (_gate)
        {
            _attached = _attached.SetItem(cooldown.Account, cooldown);
        }

        _db.Start();
        _ = SyncInBackgroundAsync([cooldown.Account]);
        return new Attachment(this, cooldown);
    }

    /// <summary>Reads the table for every attached account now (start-up; tests).</summary>
    public Task SyncAsync(CancellationToken cancellationToken) => SyncAsync(_attached.Keys.ToArray(), cancellationToken);

    public async ValueTask PublishAsync(string account, DateTimeOffset until, CancellationToken cancellationToken)
    {
        _db.Start();
        await _db.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        _attached.TryGetValue(account, out var local);
        var connection = await _db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(UpsertRow, connection);
            command.Parameters.AddWithValue("account", account);
            command.Parameters.AddWithValue("until", until.ToUniversalTime());
            command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlDbType.Text) { Value = (object?)local?.Snapshot.Reason ?? DBNull.Value });
            command.Parameters.AddWithValue("updated_by", _db.InstanceId);
            command.Parameters.AddWithValue("channel", ClusterSchema.CooldownsChannel);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        ClusterLog.CooldownShared(_logger, account, until);
    }

    public void Dispose() => _listening.Dispose();

    Task INotificationHandler.OnConnectedAsync(CancellationToken cancellationToken) => SyncAsync(cancellationToken);

    void INotificationHandler.OnDisconnected()
    {
    }

    Task INotificationHandler.OnNotificationAsync(string channel, string payload, CancellationToken cancellationToken) =>
        channel == ClusterSchema.CooldownsChannel && _attached.ContainsKey(payload)
            ? SyncAsync([payload], cancellationToken)
            : Task.CompletedTask;

    private async Task SyncAsync(string[] accounts, CancellationToken cancellationToken)
    {
        if (accounts.Length == 0)
        {
            return;
        }

        await _db.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(SelectRows, connection);
            command.Parameters.AddWithValue("accounts", accounts);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var account = reader.GetString(0);
                    var until = reader.GetFieldValue<DateTimeOffset>(1);
                    var reason = await reader.IsDBNullAsync(2, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(2);
                    var by = reader.GetString(3);
                    if (!_attached.TryGetValue(account, out var cooldown))
                    {
                        continue;
                    }

                    var changed = cooldown.Apply(until, reason);
                    if (changed && until > _db.Time.GetUtcNow())
                    {
                        ClusterLog.CooldownReceived(_logger, account, until, by);
                    }

                    Applied?.Invoke(account, until, changed);
                }
            }
        }
    }

    private async Task SyncInBackgroundAsync(string[] accounts)
    {
        try
        {
            await SyncAsync(accounts, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: the listener reads again when it (re)connects.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ClusterLog.CooldownSyncFailed(_logger, ex.GetType().Name, ex.Message);
        }
    }

    private void Detach(AccountCooldown cooldown)
    {
        lock (_gate)
        {
            if (_attached.TryGetValue(cooldown.Account, out var current) && ReferenceEquals(current, cooldown))
            {
                _attached = _attached.Remove(cooldown.Account);
            }
        }
    }

    private sealed class Attachment(PostgresCooldownStore owner, AccountCooldown cooldown) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Detach(cooldown);
            }
        }
    }
}
