using Npgsql;

namespace Proxy.Actors.Cluster;

/// <summary>Cluster mode: several proxy instances sharing one credential through PostgreSQL (<c>PROXY_POSTGRES</c>).</summary>
internal sealed record ClusterOptions
{
    /// <summary>The PostgreSQL connection string (Npgsql syntax).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Names this instance in the credential table's <c>updated_by</c> column and in <c>application_name</c>.</summary>
    public string InstanceId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>How long a refresh or a login waits for another instance's refresh lock.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first wait before the listener connects again after losing its connection.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two connection attempts of the listener.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After this long without a notification the listener checks its connection with a query.</summary>
    public TimeSpan ListenerPingInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a read may take before the store answers with the last credential it has.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Checks every value; a bad one names itself, nothing starts half-configured.</summary>
    public ClusterOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("PROXY_POSTGRES is empty.", nameof(ConnectionString));
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"PROXY_POSTGRES is not a valid PostgreSQL connection string: {ex.Message}", nameof(ConnectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(InstanceId))
        {
            throw new ArgumentException("The cluster instance id is empty.", nameof(InstanceId));
        }

        Positive(LockTimeout, nameof(LockTimeout));
        Positive(ReconnectMinDelay, nameof(ReconnectMinDelay));
        Positive(ListenerPingInterval, nameof(ListenerPingInterval));
        Positive(ReadTimeout, nameof(ReadTimeout));
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException("ReconnectMaxDelay must not be shorter than ReconnectMinDelay.", nameof(ReconnectMaxDelay));
        }

        return this;
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive.", name);
        }
    }
}
