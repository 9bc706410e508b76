using Microsoft.Extensions.Logging;
using Npgsql;

namespace Proxy.Actors.Cluster;

/// <summary>
/// The tables cluster mode keeps, created or migrated at start. Each migration runs once, in
/// order, inside one transaction under an advisory lock, so instances starting together never
/// race; <c>proxy_schema_version</c> holds one row per applied version.
/// </summary>
internal static class ClusterSchema
{
    /// <summary>Channel of credential changes; payload <c>{version}:{account}</c>.</summary>
    public const string CredentialsChannel = "qwen_proxy_credentials";

    /// <summary>Channel of shared cooldowns; payload is the account.</summary>
    public const string CooldownsChannel = "qwen_proxy_cooldowns";

    /// <summary>Key of the advisory lock that serialises migrations.</summary>
    public const long MigrationLockKey = 0x7177_656E_0000_0001; // "qwen" + 1

    private static readonly string[] Migrations =
    [
        // 1: one credential row per account, versioned; shared quota cooldowns.
        """
        CREATE TABLE proxy_credentials (
            account       text        PRIMARY KEY,
            access_token  text        NOT NULL,
            refresh_token text        NOT NULL,
            token_type    text        NOT NULL,
            resource_url  text        NULL,
            expires_at    timestamptz NOT NULL,
            version       bigint      NOT NULL CHECK (version > 0),
            updated_at    timestamptz NOT NULL DEFAULT now(),
            updated_by    text        NOT NULL
        );
        CREATE TABLE proxy_cooldowns (
            account    text        PRIMARY KEY,
            until      timestamptz NOT NULL,
            reason     text        NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            updated_by text        NOT NULL
        );
        """,
    ];

    /// <summary>The version this build writes and reads.</summary>
    public static int CurrentVersion => Migrations.Length;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns the version found before.</summary>
    public static async Task<int> MigrateAsync(NpgsqlDataSource source, ILogger logger, CancellationToken cancellationToken)
    {
        var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    CREATE TABLE IF NOT EXISTS proxy_schema_version (
                        version    integer     PRIMARY KEY,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    cancellationToken).ConfigureAwait(false);

                int found;
                using (var read = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM proxy_schema_version", connection, transaction))
                {
                    found = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                }

                if (found > CurrentVersion)
                {
                    ClusterLog.SchemaNewer(logger, found, CurrentVersion);
                }

                for (var version = found + 1; version <= CurrentVersion; version++)
                {
                    await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken).ConfigureAwait(false);
                    using var record = new NpgsqlCommand("INSERT INTO proxy_schema_version (version) VALUES (@version)", connection, transaction);
                    record.Parameters.AddWithValue("version", version);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    ClusterLog.SchemaMigrated(logger, version);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return found;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
