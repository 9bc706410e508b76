using Npgsql;
using Proxy.Actors.Cluster;

namespace Proxy.Cluster.Tests.Support;

/// <summary>What one proxy instance holds in cluster mode: its database handle, credential store and cooldown store.</summary>
internal sealed class ClusterInstance : IAsyncDisposable
{
    private readonly IDisposable _changeSubscription;
    private readonly IDisposable _eventSubscription;

    private ClusterInstance(string name, ClusterDatabase database, PostgresCredentialStore credentials, PostgresCooldownStore cooldowns)
    {
        Name = name;
        Database = database;
        Credentials = credentials;
        Cooldowns = cooldowns;
        _changeSubscription = credentials.Subscribe(Changes.Add);
        _eventSubscription = database.Listener.Subscribe(ListenerEvents);
    }

    public string Name { get; }

    public ClusterDatabase Database { get; }

    public PostgresCredentialStore Credentials { get; }

    public PostgresCooldownStore Cooldowns { get; }

    /// <summary>Every credential the store announced to its subscribers, in order.</summary>
    public Recorder<Proxy.Actors.Auth.QwenCredentials> Changes { get; } = new();

    /// <summary>The listener's connects and disconnects, as this instance saw them.</summary>
    public ListenerEvents ListenerEvents { get; } = new();

    /// <summary>An instance on <paramref name="connectionString"/>, not started yet.</summary>
    public static ClusterInstance Create(
        string connectionString,
        string name,
        string? importFile = null,
        TimeSpan? lockTimeout = null,
        TimeProvider? time = null)
    {
        var options = new ClusterOptions
        {
            ConnectionString = connectionString,
            InstanceId = name,
            LockTimeout = lockTimeout ?? TimeSpan.FromSeconds(20),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            ListenerPingInterval = TimeSpan.FromSeconds(5),
            ReadTimeout = TimeSpan.FromSeconds(2),
        };
        var database = new ClusterDatabase(options, time ?? TimeProvider.System, TestLogging.Factory);
        var credentials = new PostgresCredentialStore(database, PostgresCredentialStore.DefaultAccount, importFile);
        var cooldowns = new PostgresCooldownStore(database);
        return new ClusterInstance(name, database, credentials, cooldowns);
    }

    /// <summary>An instance reaching the database through <paramref name="relay"/>.</summary>
    public static ClusterInstance CreateBehind(TcpRelay relay, TestDatabase database, string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            Host = "127.0.0.1",
            Port = relay.Port,
            Timeout = 3,
        };
        return Create(builder.ConnectionString, name);
    }

    /// <summary>Starts it (schema, import, first read, listener) and waits until it listens.</summary>
    public static async Task<ClusterInstance> StartAsync(TestDatabase database, string name, string? importFile = null, TimeSpan? lockTimeout = null)
    {
        var instance = Create(database.ConnectionString, name, importFile, lockTimeout);
        await instance.StartAsync();
        return instance;
    }

    public async Task StartAsync()
    {
        await Credentials.StartAsync(CancellationToken.None);
        await ListenerEvents.Connected.WaitForAsync(_ => true);
    }

    public async ValueTask DisposeAsync()
    {
        _changeSubscription.Dispose();
        _eventSubscription.Dispose();
        Credentials.Dispose();
        Cooldowns.Dispose();
        await Database.DisposeAsync();
    }
}
