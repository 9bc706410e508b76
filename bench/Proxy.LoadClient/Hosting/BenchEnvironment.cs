using System.Diagnostics;
using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Hosting;

/// <summary>
/// The three paths of a run: the emulator (or the stub) on its own port, nginx and the proxy in
/// front of it. A path that cannot be brought up is skipped for the rest of the run with its reason.
/// </summary>
internal sealed class BenchEnvironment : IDisposable
{
    private readonly BenchOptions _options;
    private readonly TextWriter _log;
    private readonly string _logs;
    private readonly string _dotnet;
    private readonly Dictionary<PathKind, string> _skipped = [];
    private readonly HttpClient _probe = HttpClients.Create(4);
    private readonly ChatRequest _probeRequest;
    private readonly List<(int Port, ChildProcess Process)> _proxies = [];
    private readonly List<string> _tempFolders = [];
    private ChildProcess? _emulator;
    private ChildProcess? _nginx;
    private int _starts;

    public BenchEnvironment(BenchOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
        _logs = Path.Combine(options.ResultsDir, "logs");
        if (Directory.Exists(_logs))
        {
            Directory.Delete(_logs, recursive: true); // no log of an earlier run passes for this one's
        }

        var host = Environment.ProcessPath;
        _probeRequest = new ChatRequest(options.Model, stream: true, options.ApiKey, "chunks=2;delay_ms=0");
        _dotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
    }

    /// <summary>Why each path that does not run was skipped.</summary>
    public IReadOnlyDictionary<PathKind, string> Skipped => _skipped;

    /// <summary>The proxy on the main proxy port, if it runs.</summary>
    public int? ProxyPid => _proxies.Where(p => p.Port == _options.ProxyPort).Select(p => (int?)p.Process.Id).FirstOrDefault();

    public int? NginxPid => _nginx?.Id;

    public LoadTarget Target(PathKind path) => LoadTarget.For(path, path switch
    {
        PathKind.Direct => _options.EmulatorPort,
        PathKind.Nginx => _options.NginxPort,
        _ => _options.ProxyPort,
    });

    /// <summary>The paths that are up, in a fixed order: direct, nginx, proxy.</summary>
    public IReadOnlyList<LoadTarget> Targets() =>
        _options.Paths.Order()
            .Where(p => p switch
            {
                PathKind.Nginx => _nginx is not null,
                PathKind.Proxy => ProxyPid is not null,
                _ => true,
            })
            .Select(Target)
            .ToArray();

    /// <summary>The proxy reaches the emulator over HTTP/2 (the stub speaks only HTTP/1.1).</summary>
    private bool UpstreamHttp2 => _options.ProxyUpstreamHttp2 && _options.Upstream == UpstreamKind.Emulator;

    /// <summary>Stops the run early when a port it needs is taken (say, by someone else's emulator).</summary>
    public void CheckPorts()
    {
        var wanted = new List<(string Name, int Port)> { ("emulator", _options.EmulatorPort) };
        if (UpstreamHttp2)
        {
            wanted.Add(("emulator h2c", _options.EmulatorH2cPort));
        }
        if (_options.Drives(PathKind.Nginx))
        {
            wanted.Add(("nginx", _options.NginxPort));
        }

        if (_options.Drives(PathKind.Proxy))
        {
            wanted.Add(("proxy", _options.ProxyPort));
            if (_options.Runs("stutter"))
            {
                wanted.Add(("second proxy", _options.SecondProxyPort));
            }

            if (_options.Runs("soak"))
            {
                wanted.Add(("soak relay", _options.SoakRelayPort));
            }
        }

        var busy = wanted.Where(w => !Ports.IsFree(w.Port)).ToArray();
        if (busy.Length > 0)
        {
            throw new BenchException(
                "port(s) already in use: " + string.Join(", ", busy.Select(b => $"{b.Name} {b.Port}")) +
                "; stop what listens there or pass --emulator-port/--nginx-port/--proxy-port");
        }
    }

    /// <summary>(Re)starts the upstream with <paramref name="scenario"/> as its default, so every path gets it
    /// even when a hop does not pass the scenario header on.</summary>
    public async Task StartUpstreamAsync(string scenario, CancellationToken cancellationToken)
    {
        _emulator?.Dispose();
        _emulator = null;
        var stub = _options.Upstream == UpstreamKind.Stub;
        List<string> args = stub ? [typeof(Program).Assembly.Location, "stub"] : [EmulatorDll()];
        args.AddRange(["--port", Port(_options.EmulatorPort), "--api-key", _options.ApiKey, "--scenario", scenario]);
        if (UpstreamHttp2)
        {
            args.AddRange(["--h2c-port", Port(_options.EmulatorH2cPort)]);
        }
        var name = stub ? "stub" : "emulator";
        _emulator = ChildProcess.Start(name, _dotnet, args, Production(), LogFile(name));
        var ready = await WaitAsync(_emulator, () => ProbeChatAsync(Target(PathKind.Direct), cancellationToken),
            _options.StartupTimeout, cancellationToken);
        if (ready is not null)
        {
            var hint = stub ? "" : " (--upstream stub runs the harness against the built-in stub)";
            throw new BenchException($"{name} did not answer POST /v1/chat/completions: {ready}{hint}\n{_emulator.LogTail()}");
        }

        _log.WriteLine($"  {name} up on {_options.EmulatorPort} (scenario {scenario}, pid {_emulator.Id})");
    }

    public async Task StartNginxAsync(CancellationToken cancellationToken)
    {
        if (!_options.Drives(PathKind.Nginx) || _skipped.ContainsKey(PathKind.Nginx) || _nginx is not null)
        {
            return;
        }

        var binary = FindOnPath("nginx");
        if (binary is null)
        {
            Skip(PathKind.Nginx, "nginx is not installed (bench/run.sh installs it with apt-get)");
            return;
        }

        var prefix = TempFolder("qwen-bench-nginx-");
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf,
            NginxConfig.Render(prefix, _options.NginxPort, _options.EmulatorPort, Environment.UserName == "root"),
            cancellationToken);
        _nginx = ChildProcess.Start("nginx", binary,
            ["-p", prefix, "-c", conf, "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;"],
            new Dictionary<string, string>(), LogFile("nginx"));
        var failure = await WaitAsync(_nginx, () => ProbeChatAsync(Target(PathKind.Nginx), cancellationToken),
            TimeSpan.FromSeconds(20), cancellationToken);
        if (failure is not null)
        {
            var errors = File.Exists(Path.Combine(prefix, "error.log"))
                ? await File.ReadAllTextAsync(Path.Combine(prefix, "error.log"), cancellationToken)
                : "";
            _nginx.Dispose();
            _nginx = null;
            Skip(PathKind.Nginx, $"nginx did not answer: {failure} {errors.Trim()}");
            return;
        }

        _log.WriteLine($"  nginx up on {_options.NginxPort} (pid {_nginx.Id})");
    }

    /// <summary>Starts a fresh proxy on the main port (so its peak memory belongs to the next step only).</summary>
    /// <returns>False when the proxy path is skipped.</returns>
    /// <param name="environment">Settings of this step on top of the run's (<c>--proxy-env</c> still wins).</param>
    public Task<bool> StartProxyAsync(bool stutterRepair, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null) =>
        StartProxiesAsync([(_options.ProxyPort, stutterRepair)], cancellationToken, environment);

    /// <summary>Stops every proxy, then starts one fresh proxy per port given, side by side.</summary>
    /// <returns>False when the proxy path is skipped.</returns>
    public async Task<bool> StartProxiesAsync(
        IReadOnlyList<(int Port, bool StutterRepair)> proxies, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        StopProxies();
        if (!_options.Drives(PathKind.Proxy) || _skipped.ContainsKey(PathKind.Proxy))
        {
            return false;
        }

        var dll = _options.ProxyDll ?? Path.Combine(_options.RepoRoot, "src", "Proxy.Web", "bin", "Release", "net10.0", "Proxy.Web.dll");
        if (!File.Exists(dll))
        {
            Skip(PathKind.Proxy, $"proxy not built: {dll} is missing");
            return false;
        }

        foreach (var (port, repair) in proxies)
        {
            var env = Production();
            env["UPSTREAM_BASE_URL"] = $"http://127.0.0.1:{Port(UpstreamHttp2 ? _options.EmulatorH2cPort : _options.EmulatorPort)}/v1";
            if (UpstreamHttp2)
            {
                env["UPSTREAM_HTTP_VERSION"] = "2";
            }
            env["UPSTREAM_API_KEY"] = _options.ApiKey;
            env["RATE_LIMIT_RPS"] = "0";
            env["MAX_CONCURRENT_STREAMS"] = "0"; // unlimited: the streams step is about what the process holds, not its cap
            env["SERVER_HOST"] = "127.0.0.1";
            env["SERVER_PORT"] = Port(port);
            env["LOG_LEVEL"] = _options.ProxyLogLevel;
            env["STUTTER_REPAIR"] = repair ? "true" : "false";
            env["QWEN_DIR"] = TempFolder("qwen-bench-creds-");
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                env[name] = value;
            }

            foreach (var (name, value) in _options.ProxyEnvironment)
            {
                env[name] = value;
            }

            _starts++;
            _proxies.Add((port, ChildProcess.Start("proxy", _dotnet, [dll], env, LogFile($"proxy-{_starts}-port{Port(port)}"))));
        }

        for (var i = 0; i < proxies.Count; i++)
        {
            var (port, process) = _proxies[i];
            var health = new Uri($"http://127.0.0.1:{Port(port)}/health");
            var failure = await WaitAsync(process, () => ProbeGetAsync(health, cancellationToken), _options.StartupTimeout, cancellationToken);
            failure ??= await ProbeChatAsync(LoadTarget.For(PathKind.Proxy, port), cancellationToken);
            if (failure is not null)
            {
                var logPath = Path.GetRelativePath(_options.RepoRoot, process.LogPath);
                StopProxies();
                Skip(PathKind.Proxy, $"the proxy did not serve a stream: {failure} (its log: {logPath})");
                return false;
            }

            _log.WriteLine($"  proxy up on {port} (stutter repair {(proxies[i].StutterRepair ? "on" : "off")}, pid {process.Id})");
        }

        return true;
    }

    public void StopProxies()
    {
        foreach (var (_, process) in _proxies)
        {
            process.Dispose();
        }

        _proxies.Clear();
    }

    public void Dispose()
    {
        StopProxies();
        _nginx?.Dispose();
        _nginx = null;
        _emulator?.Dispose();
        _emulator = null;
        _probe.Dispose();
        foreach (var folder in _tempFolders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Leave it for the OS to clean.
            }
        }
    }

    private string TempFolder(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        _tempFolders.Add(folder);
        return folder;
    }

    private void Skip(PathKind path, string reason)
    {
        _skipped[path] = reason;
        _log.WriteLine($"  SKIP {path.ToString().ToLowerInvariant()}: {reason}");
    }

    /// <summary>Polls <paramref name="probe"/> until it answers null (ready); returns the last failure otherwise.</summary>
    private static async Task<string?> WaitAsync(ChildProcess process, Func<Task<string?>> probe, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var last = "no answer";
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (process.HasExited)
            {
                return $"{process.Name} exited during start-up; log {process.LogPath}: {process.LogTail(5).ReplaceLineEndings(" | ")}";
            }

            var result = await probe();
            if (result is null)
            {
                return null;
            }

            last = result;
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return $"{last}, still after {timeout.TotalSeconds:0} s";
    }

    /// <summary>Ready means a stream flows: the first text arrives. The probe does not wait for a long
    /// default scenario to end (a hop may not pass the short scenario header on).</summary>
    private async Task<string?> ProbeChatAsync(LoadTarget target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var sample = await RequestRunner.SendAsync(_probe, target, _probeRequest, ReadMode.FirstToken, timeout.Token);
        return sample.Ok ? null : $"a streaming POST {target.ChatUri.AbsolutePath} got {sample.Error}";
    }

    private async Task<string?> ProbeGetAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await _probe.GetAsync(uri, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"GET {uri.AbsolutePath} got HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"GET {uri} found nothing listening ({e.GetType().Name})";
        }
    }

    private string EmulatorDll()
    {
        var dll = Path.Combine(_options.RepoRoot, "tests", "Qwen.Emulator", "bin", "Release", "net10.0", "Qwen.Emulator.dll");
        return File.Exists(dll) ? dll : throw new BenchException($"emulator not built: {dll} is missing (bench/run.sh builds it)");
    }

    private string LogFile(string name) => Path.Combine(_logs, name + ".log");

    private static Dictionary<string, string> Production() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? FindOnPath(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/usr/local/sbin", "/sbin"]);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
