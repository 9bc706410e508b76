using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Proxy.Actors.Auth;

namespace Proxy.Actors.Cluster;

/// <summary>The SQL of the <c>proxy_credentials</c> table and of the per-account refresh lock.</summary>
internal static class CredentialTable
{
    private const string SelectRow =
        """
        SELECT version, access_token, refresh_token, token_type, resource_url, expires_at, updated_by
        FROM proxy_credentials WHERE account = @account
        """;

    // One statement: the write, the version bump and the notification, which PostgreSQL delivers
    // to every listening instance when (and only if) the transaction commits.
    private const string UpsertRow =
        """
        WITH written AS (
            INSERT INTO proxy_credentials AS c
                (account, access_token, refresh_token, token_type, resource_url, expires_at, version, updated_by)
            VALUES (@account, @access_token, @refresh_token, @token_type, @resource_url, @expires_at, 1, @updated_by)
            ON CONFLICT (account) DO UPDATE SET
                access_token = EXCLUDED.access_token,
                refresh_token = EXCLUDED.refresh_token,
                token_type = EXCLUDED.token_type,
                resource_url = EXCLUDED.resource_url,
                expires_at = EXCLUDED.expires_at,
                version = c.version + 1,
                updated_at = now(),
                updated_by = EXCLUDED.updated_by
            RETURNING version)
        SELECT version, pg_notify(@channel, version::text || ':' || @account) FROM written
        """;

    private const string TakeLock =
        """
        SELECT set_config('lock_timeout', @lock_timeout, true);
        SELECT pg_advisory_xact_lock(hashtextextended('qwen-proxy/credentials/' || @account, 0));
        """;

    /// <summary>SQLSTATE <c>lock_not_available</c>: <c>lock_timeout</c> ran out.</summary>
    public const string LockNotAvailable = "55P03";

    /// <summary>
    /// Takes the account's refresh lock for the rest of <paramref name="transaction"/>: held by the
    /// session, released at commit, rollback or when the connection dies. Waits at most
    /// <paramref name="timeout"/>, then fails with SQLSTATE <see cref="LockNotAvailable"/>.
    /// </summary>
    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string account, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(TakeLock, connection, transaction);
        var milliseconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
        command.Parameters.AddWithValue("lock_timeout", milliseconds.ToString(CultureInfo.InvariantCulture) + "ms");
        command.Parameters.AddWithValue("account", account);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<CredentialRow?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string account, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(SelectRow, connection, transaction);
        command.Parameters.AddWithValue("account", account);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var credentials = new QwenCredentials(
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                await reader.IsDBNullAsync(4, cancellationToken).ConfigureAwait(false) ? null : reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5));
            return new CredentialRow(reader.GetInt64(0), credentials, reader.GetString(6));
        }
    }

    public static async Task<CredentialRow?> ReadAsync(NpgsqlDataSource source, string account, CancellationToken cancellationToken)
    {
        var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadAsync(connection, null, account, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the account's credential with the next version and notifies; returns the row as written.</summary>
    public static async Task<CredentialRow> WriteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string account,
        QwenCredentials credentials,
        string updatedBy,
        CancellationToken cancellationToken)
    {
        var stored = Normalize(credentials);
        using var command = new NpgsqlCommand(UpsertRow, connection, transaction);
        command.Parameters.AddWithValue("account", account);
        command.Parameters.AddWithValue("access_token", stored.AccessToken);
        command.Parameters.AddWithValue("refresh_token", stored.RefreshToken);
        command.Parameters.AddWithValue("token_type", stored.TokenType);
        command.Parameters.Add(new NpgsqlParameter("resource_url", NpgsqlDbType.Text) { Value = (object?)stored.ResourceUrl ?? DBNull.Value });
        command.Parameters.AddWithValue("expires_at", stored.ExpiresAt);
        command.Parameters.AddWithValue("updated_by", updatedBy);
        command.Parameters.AddWithValue("channel", ClusterSchema.CredentialsChannel);
        var version = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return new CredentialRow(version, stored, updatedBy);
    }

    /// <summary>Parses a notification payload <c>{version}:{account}</c>.</summary>
    public static bool TryParsePayload(string payload, out long version, out string account)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        account = colon < 0 ? string.Empty : payload[(colon + 1)..];
        version = 0;
        return colon > 0 && long.TryParse(payload.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    /// <summary>The credential as the table gives it back: UTC, whole milliseconds (like the CLI's file).</summary>
    public static QwenCredentials Normalize(QwenCredentials credentials)
    {
        var expires = credentials.ExpiresAt == DateTimeOffset.MinValue || credentials.ExpiresAt == DateTimeOffset.MaxValue
            ? credentials.ExpiresAt
            : DateTimeOffset.FromUnixTimeMilliseconds(credentials.ExpiresAt.ToUnixTimeMilliseconds());
        return credentials with { ExpiresAt = expires.ToUniversalTime() };
    }
}
