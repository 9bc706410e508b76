using System.Globalization;

namespace Proxy.LoadClient;

/// <summary>Every size and duration of a run. <c>--quick</c> swaps in small ones for checking the harness.</summary>
internal sealed class BenchOptions
{
    public bool Quick { get; private set; }
    public string RepoRoot { get; private set; } = Directory.GetCurrentDirectory();
    public string ResultsDir { get; private set; } = "";
    public bool UpdateDocs { get; private set; }
    public bool IncludeMicro { get; private set; }
    public string CommandLine { get; private set; } = "bench/run.sh";

    public UpstreamKind Upstream { get; private set; } = UpstreamKind.Emulator;
    public IReadOnlyList<PathKind> Paths { get; private set; } = [PathKind.Direct, PathKind.Nginx, PathKind.Proxy];
    public IReadOnlyList<string> Steps { get; private set; } = ["latency", "throughput", "streams", "stutter"];

    public int EmulatorPort { get; private set; } = 18080;
    public int NginxPort { get; private set; } = 18081;

    /// <summary>
    /// <c>--proxy-upstream-http2</c>: the emulator also serves HTTP/2 without TLS on <see cref="EmulatorH2cPort"/>
    /// and the proxy reaches it there with <c>UPSTREAM_HTTP_VERSION=2</c> (direct and nginx stay on HTTP/1.1).
    /// </summary>
    public bool ProxyUpstreamHttp2 { get; private set; }

    public int EmulatorH2cPort { get; private set; } = 18082;

    /// <summary>
    /// <c>--proxy-dll PATH</c>: another server to run in the proxy's place, configured the same way
    /// (say, bench/Proxy.BaselinePipe, the plainest Kestrel + HttpClient pipe); null = qwen-proxy.
    /// </summary>
    public string? ProxyDll { get; private set; }
    public int ProxyPort { get; private set; } = 8143;

    /// <summary>Where the proxy with stutter repair off runs beside the main one in the stutter step.</summary>
    public int SecondProxyPort { get; private set; } = 8144;
    public string ApiKey { get; private set; } = "bench-key";
    public string Model { get; private set; } = "qwen3-coder-plus";
    public string ProxyLogLevel { get; private set; } = "warn";

    /// <summary>Extra environment of the proxy processes (<c>--proxy-env NAME=VALUE</c>, repeatable), e.g. GC settings to compare.</summary>
    public IReadOnlyDictionary<string, string> ProxyEnvironment => _proxyEnvironment;

    private readonly Dictionary<string, string> _proxyEnvironment = new(StringComparer.Ordinal);
    public TimeSpan StartupTimeout { get; private set; } = TimeSpan.FromSeconds(90);

    public string LatencyScenario { get; private set; } = "chunks=20;delay_ms=0";
    public int LatencyWarmup { get; private set; } = 200;
    public int LatencySamples { get; private set; } = 2000;

    public IReadOnlyList<int> ThroughputConnections { get; private set; } = [64, 256];
    public TimeSpan ThroughputWarmup { get; private set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ThroughputSegment { get; private set; } = TimeSpan.FromSeconds(3);
    public int ThroughputRounds { get; private set; } = 2;

    public int Streams { get; private set; } = 8000;
    public int StreamHoldSeconds { get; private set; } = 30;
    public int StreamEventMs { get; private set; } = 1000;
    public TimeSpan StreamRamp { get; private set; } = TimeSpan.FromSeconds(8);

    public string StutterScenario { get; private set; } = "chunks=20;delay_ms=20";
    public int StutterWarmup { get; private set; } = 20;
    public int StutterSamples { get; private set; } = 200;

    /// <summary>How long the soak loads the proxy (<c>--soak-minutes</c>).</summary>
    public TimeSpan SoakDuration { get; private set; } = TimeSpan.FromMinutes(30);

    private TimeSpan? _soakWarmup;
    private TimeSpan? _soakSampleEvery;

    /// <summary>The start of the soak left out of the trends: a quarter of it, at most 5 minutes, unless given.</summary>
    public TimeSpan SoakWarmup => _soakWarmup ?? TimeSpan.FromTicks(Math.Min(SoakDuration.Ticks / 4, TimeSpan.FromMinutes(5).Ticks));

    /// <summary>How often the soak reads the proxy's resources: a sixtieth of the run, between 1 and 5 s, unless given.</summary>
    public TimeSpan SoakSampleEvery => _soakSampleEvery
        ?? TimeSpan.FromSeconds(Math.Clamp(SoakDuration.TotalSeconds / 60, 1, 5));

    public int SoakConcurrency { get; private set; } = 32;
    public double SoakStreamShare { get; private set; } = 0.7;
    public double SoakFaultRate { get; private set; } = 0.08;
    public double SoakCancelRate { get; private set; } = 0.05;
    public IReadOnlyList<string> SoakFaults { get; private set; } = ["reset_mid", "reset_before", "500", "503", "429"];

    /// <summary>The emulator's run default in the soak: 20 events 25 ms apart, about half a second a stream.</summary>
    public string SoakScenario { get; private set; } = "chunks=20;delay_ms=25";
    public int SoakRelayPort { get; private set; } = 18083;

    /// <summary>Longest wait after the load for the proxy's streams and descriptors to go back to idle.</summary>
    public TimeSpan SoakSettle { get; private set; } = TimeSpan.FromSeconds(30);
    public int SoakSeed { get; private set; } = 1;

    /// <summary>How much longer than the ramp the streams step waits for every stream to open.</summary>
    public static TimeSpan StreamOpenSlack { get; } = TimeSpan.FromSeconds(60);

    /// <summary>An event every <see cref="StreamEventMs"/>, long enough to outlast opening (ramp and slack) and the hold:
    /// the load client ends the streams itself after the hold.</summary>
    public string StreamsScenario
    {
        get
        {
            var seconds = StreamRamp.TotalSeconds + StreamOpenSlack.TotalSeconds + StreamHoldSeconds + 30;
            var chunks = (int)Math.Ceiling(seconds * 1000 / StreamEventMs);
            return string.Create(CultureInfo.InvariantCulture, $"chunks={chunks};delay_ms={StreamEventMs}");
        }
    }

    public bool Runs(string step) => Steps.Contains(step, StringComparer.Ordinal);

    public bool Drives(PathKind path) => Paths.Contains(path);

    public static string Usage => """
        usage: bench/run.sh [--quick] [--micro] [--update-docs] [options]
          --quick                    small sizes and short steps, for checking the harness (noisy figures)
          --micro                    also run the BenchmarkDotNet micro benchmarks and include their tables
          --update-docs              copy the report and chart into docs/BENCHMARKS.md afterwards
          --upstream emulator|stub   what stands behind every path (default emulator; stub is a minimal built-in SSE server)
          --paths direct,nginx,proxy --steps latency,throughput,streams,stutter
                                     (faults, not run by default: 24 clients, one stream in ten reset half way, share of 503s)
          --emulator-port N --nginx-port N --proxy-port N --second-proxy-port N --api-key KEY --proxy-log-level LEVEL
          --proxy-env NAME=VALUE     extra environment of the proxy (repeatable), e.g. DOTNET_gcServer=0
          --proxy-dll PATH           run this server in the proxy's place (e.g. bench/Proxy.BaselinePipe's dll, the platform's floor)
          --proxy-upstream-http2     the proxy reaches the emulator over HTTP/2 without TLS (its --h2c-port, --emulator-h2c-port N, default 18082)
          --startup-timeout S
          --latency-samples N --latency-warmup N --latency-scenario S
          --connections 64,256 --throughput-seconds S --throughput-rounds N --throughput-warmup S
          --streams N --stream-hold-seconds S --stream-event-ms MS --stream-ramp-seconds S
          --stutter-samples N --stutter-warmup N --stutter-scenario S
          --steps soak --soak-minutes M   the soak (not in the default steps): steady load with cancels and upstream faults
          --soak-warmup-seconds S --soak-sample-seconds S --soak-concurrency N --soak-scenario S --soak-seed N
          --soak-stream-share R --soak-fault-rate R --soak-cancel-rate R --soak-settle-seconds S --soak-relay-port N
          --soak-faults reset_mid,reset_before,500,503,429
          --results DIR --repo DIR
        """;

    /// <summary>Parses the command line; <c>--quick</c> applies first so explicit values still win.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        if (args.Contains("--quick"))
        {
            o.ApplyQuick();
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{name} needs a value");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--quick": break;
                case "--micro": o.IncludeMicro = true; break;
                case "--update-docs": o.UpdateDocs = true; break;
                case "--repo": o.RepoRoot = Path.GetFullPath(Value()); break;
                case "--results": o.ResultsDir = Value(); break;
                case "--command-line": o.CommandLine = Value(); break;
                case "--upstream": o.Upstream = ParseUpstream(Value()); break;
                case "--paths": o.Paths = Split(Value()).Select(ParsePath).Distinct().ToArray(); break;
                case "--steps": o.Steps = Split(Value()).Select(ParseStep).Distinct().ToArray(); break;
                case "--emulator-port": o.EmulatorPort = Int(name, Value(), 1); break;
                case "--nginx-port": o.NginxPort = Int(name, Value(), 1); break;
                case "--proxy-port": o.ProxyPort = Int(name, Value(), 1); break;
                case "--second-proxy-port": o.SecondProxyPort = Int(name, Value(), 1); break;
                case "--api-key": o.ApiKey = Value(); break;
                case "--model": o.Model = Value(); break;
                case "--proxy-log-level": o.ProxyLogLevel = Value(); break;
                case "--proxy-env": o.AddProxyEnvironment(Value()); break;
                case "--proxy-upstream-http2": o.ProxyUpstreamHttp2 = true; break;
                case "--proxy-dll": o.ProxyDll = Path.GetFullPath(Value()); break;
                case "--emulator-h2c-port": o.EmulatorH2cPort = Int(name, Value(), 1); break;
                case "--startup-timeout": o.StartupTimeout = Seconds(name, Value()); break;
                case "--latency-scenario": o.LatencyScenario = Value(); break;
                case "--latency-warmup": o.LatencyWarmup = Int(name, Value(), 0); break;
                case "--latency-samples": o.LatencySamples = Int(name, Value(), 1); break;
                case "--connections": o.ThroughputConnections = Split(Value()).Select(v => Int(name, v, 1)).ToArray(); break;
                case "--throughput-warmup": o.ThroughputWarmup = Seconds(name, Value()); break;
                case "--throughput-seconds": o.ThroughputSegment = Seconds(name, Value()); break;
                case "--throughput-rounds": o.ThroughputRounds = Int(name, Value(), 1); break;
                case "--streams": o.Streams = Int(name, Value(), 1); break;
                case "--stream-hold-seconds": o.StreamHoldSeconds = Int(name, Value(), 1); break;
                case "--stream-event-ms": o.StreamEventMs = Int(name, Value(), 1); break;
                case "--stream-ramp-seconds": o.StreamRamp = Seconds(name, Value()); break;
                case "--stutter-scenario": o.StutterScenario = Value(); break;
                case "--stutter-warmup": o.StutterWarmup = Int(name, Value(), 0); break;
                case "--stutter-samples": o.StutterSamples = Int(name, Value(), 1); break;
                case "--soak-minutes": o.SoakDuration = Seconds(name, Value()) * 60; break;
                case "--soak-warmup-seconds": o._soakWarmup = Seconds(name, Value()); break;
                case "--soak-sample-seconds": o._soakSampleEvery = Seconds(name, Value()); break;
                case "--soak-concurrency": o.SoakConcurrency = Int(name, Value(), 1); break;
                case "--soak-stream-share": o.SoakStreamShare = Ratio(name, Value()); break;
                case "--soak-fault-rate": o.SoakFaultRate = Ratio(name, Value()); break;
                case "--soak-cancel-rate": o.SoakCancelRate = Ratio(name, Value()); break;
                case "--soak-faults": o.SoakFaults = Split(Value()).Select(ParseFault).Distinct().ToArray(); break;
                case "--soak-scenario": o.SoakScenario = Value(); break;
                case "--soak-relay-port": o.SoakRelayPort = Int(name, Value(), 1); break;
                case "--soak-settle-seconds": o.SoakSettle = Seconds(name, Value()); break;
                case "--soak-seed": o.SoakSeed = Int(name, Value(), 0); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (o.SoakWarmup >= o.SoakDuration)
        {
            throw new ArgumentException($"--soak-warmup-seconds ({o.SoakWarmup.TotalSeconds:0} s) must be shorter than the soak ({o.SoakDuration.TotalSeconds:0} s)");
        }

        if (o.SoakFaultRate > 0 && o.SoakFaults.Count == 0)
        {
            throw new ArgumentException("--soak-fault-rate above 0 needs at least one of --soak-faults");
        }

        if (o.ResultsDir.Length == 0)
        {
            o.ResultsDir = Path.Combine(o.RepoRoot, "bench", "results");
        }

        o.ResultsDir = Path.GetFullPath(o.ResultsDir, o.RepoRoot);
        return o;
    }

    private void AddProxyEnvironment(string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--proxy-env needs NAME=VALUE, not {assignment}");
        }

        _proxyEnvironment[assignment[..equals]] = assignment[(equals + 1)..];
    }

    private void ApplyQuick()
    {
        Quick = true;
        LatencyWarmup = 20;
        LatencySamples = 100;
        ThroughputWarmup = TimeSpan.FromSeconds(0.5);
        ThroughputSegment = TimeSpan.FromSeconds(1);
        ThroughputRounds = 1;
        Streams = 200;
        StreamHoldSeconds = 5;
        StreamRamp = TimeSpan.FromSeconds(1);
        StutterWarmup = 5;
        StutterSamples = 30;
        SoakDuration = TimeSpan.FromMinutes(1);
    }

    private static string[] Split(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int Int(string name, string value, int min)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
        {
            throw new ArgumentException($"{name} wants an integer >= {min}, got '{value}'");
        }

        return n;
    }

    private static TimeSpan Seconds(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) || s <= 0)
        {
            throw new ArgumentException($"{name} wants a positive number of seconds, got '{value}'");
        }

        return TimeSpan.FromSeconds(s);
    }

    private static double Ratio(string name, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) || r is < 0 or > 1)
        {
            throw new ArgumentException($"{name} wants a share between 0 and 1, got '{value}'");
        }

        return r;
    }

    private static string ParseFault(string value) => Soak.SoakMix.IsKnownFault(value)
        ? value
        : throw new ArgumentException($"--soak-faults takes reset_mid, reset_before or a 4xx/5xx status; got '{value}'");

    private static UpstreamKind ParseUpstream(string value) => value switch
    {
        "emulator" => UpstreamKind.Emulator,
        "stub" => UpstreamKind.Stub,
        _ => throw new ArgumentException($"--upstream wants emulator or stub, got '{value}'"),
    };

    private static PathKind ParsePath(string value) => value switch
    {
        "direct" => PathKind.Direct,
        "nginx" => PathKind.Nginx,
        "proxy" => PathKind.Proxy,
        _ => throw new ArgumentException($"--paths takes direct, nginx, proxy; got '{value}'"),
    };

    private static string ParseStep(string value) => value switch
    {
        "latency" or "throughput" or "streams" or "stutter" or "soak" or "faults" => value,
        _ => throw new ArgumentException($"--steps takes latency, throughput, streams, stutter, soak, faults; got '{value}'"),
    };
}
