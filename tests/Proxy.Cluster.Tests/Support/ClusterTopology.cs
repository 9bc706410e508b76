using Proxy.Actors.Auth;
using Qwen.Emulator;

namespace Proxy.Cluster.Tests.Support;

/// <summary>
/// The deployment of docker/compose.yaml on one machine: the emulator as the Qwen service, one
/// database, N proxy processes in cluster mode, and nginx in front of them.
/// </summary>
internal sealed class ClusterTopology : IAsyncDisposable
{
    private readonly string _qwenDir;

    private ClusterTopology(EmulatorHost emulator, TestDatabase database, IReadOnlyList<ProxyProcess> proxies, NginxFront nginx, string qwenDir)
    {
        Emulator = emulator;
        Database = database;
        Proxies = proxies;
        Nginx = nginx;
        _qwenDir = qwenDir;
    }

    public EmulatorHost Emulator { get; }

    public TestDatabase Database { get; }

    public IReadOnlyList<ProxyProcess> Proxies { get; }

    public NginxFront Nginx { get; }

    /// <summary>Everything the processes printed, for a failure message.</summary>
    public string Output => string.Join("\n", Proxies.Select(p => $"--- {p.Name}\n{p.Output}")) + $"\n--- nginx\n{Nginx.Output}";

    /// <param name="seed">Written to the credential table before any proxy starts (null: none).</param>
    public static async Task<ClusterTopology> StartAsync(int instances, EmulatorOptions emulatorOptions, Func<EmulatorHost, QwenCredentials?>? seed = null)
    {
        var emulator = await EmulatorHost.StartAsync(emulatorOptions);
        var database = await TestDatabase.CreateAsync();
        var qwenDir = Directory.CreateTempSubdirectory("qwen-dir-").FullName;
        if (seed?.Invoke(emulator) is { } credentials)
        {
            await using var seeder = await ClusterInstance.StartAsync(database, "seeder");
            await seeder.Credentials.SaveAsync(credentials, CancellationToken.None);
        }

        var proxies = Enumerable.Range(1, instances)
            .Select(i => ProxyProcess.Start($"proxy{i}", database.ConnectionString, emulator.BaseUrl, Path.Combine(qwenDir, $"proxy{i}")))
            .ToArray();
        try
        {
            await Task.WhenAll(proxies.Select(p => p.WaitUntilHealthyAsync()));
            var nginx = await NginxFront.StartAsync(proxies.Select(p => p.Port).ToArray());
            return new ClusterTopology(emulator, database, proxies, nginx, qwenDir);
        }
        catch
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }

            await database.DisposeAsync();
            await emulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        foreach (var proxy in Proxies)
        {
            await proxy.DisposeAsync();
        }

        await Database.DisposeAsync();
        await Emulator.DisposeAsync();
        Directory.Delete(_qwenDir, recursive: true);
    }
}
