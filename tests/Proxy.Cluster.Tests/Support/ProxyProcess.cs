namespace Proxy.Cluster.Tests.Support;

/// <summary>One proxy instance as its own process (the built Proxy.Web.dll) in cluster mode.</summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string> _environment;
    private ChildProcess _process;

    private ProxyProcess(string name, int port, IReadOnlyDictionary<string, string> environment, ChildProcess process)
    {
        Name = name;
        Port = port;
        _environment = environment;
        _process = process;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");

    public string Output => _process.Output;

    public bool IsRunning => !_process.HasExited;

    /// <param name="postgres">PROXY_POSTGRES.</param>
    /// <param name="oauthBase">The emulator: QWEN_OAUTH_BASE_URL.</param>
    public static ProxyProcess Start(string name, string postgres, Uri oauthBase, string qwenDir, IReadOnlyDictionary<string, string>? extra = null)
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["SERVER_HOST"] = "127.0.0.1",
            ["SERVER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PROXY_POSTGRES"] = postgres,
            ["QWEN_DIR"] = qwenDir,
            ["QWEN_OAUTH_BASE_URL"] = oauthBase.ToString().TrimEnd('/'),
            ["QWEN_API_BASE_URL"] = new Uri(oauthBase, "/v1").ToString(),
            ["RATE_LIMIT_RPS"] = "0",
            ["LOG_LEVEL"] = "warn",
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_TieredPGO"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return new ProxyProcess(name, port, environment, Launch(name, environment));
    }

    public Task WaitUntilHealthyAsync() => Health.WaitUntilAsync(BaseUrl, "/health", () => _process.HasExited, () => Output);

    /// <summary>SIGKILL: the instance dies mid-work, as in a crash.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts it again on the same port with the same settings.</summary>
    public async Task RestartAsync()
    {
        await _process.DisposeAsync();
        _process = Launch(Name, _environment);
        await WaitUntilHealthyAsync();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static ChildProcess Launch(string name, IReadOnlyDictionary<string, string> environment) =>
        ChildProcess.Start(name, "dotnet", [RepositoryLayout.ProxyDll], environment);
}
