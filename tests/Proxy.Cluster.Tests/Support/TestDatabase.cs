using Npgsql;

namespace Proxy.Cluster.Tests.Support;

/// <summary>
/// A fresh database on the PostgreSQL server named by <c>PROXY_TEST_POSTGRES</c> (set by
/// .ci/cluster), dropped at the end: every test has its own tables and its own NOTIFY channels.
/// </summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "PROXY_TEST_POSTGRES";

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Set {ServerVariable} to a PostgreSQL connection string whose user may create databases (.ci/cluster does).");

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = "qp_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 20 };
        return new TestDatabase(name, builder.ConnectionString);
    }

    /// <summary>Runs one query against the test database on a connection of its own.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (parameterName, value) in parameters)
        {
            command.Parameters.AddWithValue(parameterName, value);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters) => ScalarAsync<object>(sql, parameters);

    public async ValueTask DisposeAsync()
    {
        await using var admin = new NpgsqlConnection(ServerConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
