using System.Diagnostics;
using Proxy.LoadClient.Hosting;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;
using Proxy.LoadClient.Soak;
using Proxy.LoadClient.Steps;

namespace Proxy.LoadClient;

/// <summary>One benchmark run: bring the paths up phase by phase, run the steps, write the report.</summary>
internal sealed class BenchRun(BenchOptions options, TextWriter log)
{
    public async Task<BenchResults> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var results = new BenchResults
        {
            Started = DateTimeOffset.UtcNow,
            Quick = options.Quick,
            Command = options.CommandLine,
            Upstream = options.Upstream == UpstreamKind.Stub ? "built-in stub (bench --upstream stub)"
                : options.ProxyUpstreamHttp2 ? "tests/Qwen.Emulator (the proxy reaches it over HTTP/2 without TLS)"
                : "tests/Qwen.Emulator",
            ProxyServer = options.ProxyDll is { } dll ? Path.GetRelativePath(options.RepoRoot, dll) : null,
            Machine = MachineInfo.Collect(options.RepoRoot),
        };
        log.WriteLine($"bench: {(options.Quick ? "quick" : "full")} run, {results.Machine.Cores} cores, load average {results.Machine.LoadAverage:0.00}, " +
                      $"open files limit {results.Machine.OpenFilesLimit}");

        using var environment = new BenchEnvironment(options, log);
        environment.CheckPorts();

        if (options.Runs("latency") || options.Runs("throughput"))
        {
            log.WriteLine($"phase: latency and throughput (scenario {options.LatencyScenario})");
            await environment.StartUpstreamAsync(options.LatencyScenario, cancellationToken);
            await environment.StartNginxAsync(cancellationToken);
            await environment.StartProxyAsync(stutterRepair: true, cancellationToken);
            if (options.Runs("latency"))
            {
                log.WriteLine("step 1: added latency, one request at a time");
                results.Latency = await LatencyStep.RunAsync(options, environment.Targets(), log, cancellationToken);
            }

            if (options.Runs("throughput"))
            {
                log.WriteLine("step 2: throughput");
                results.Throughput = await ThroughputStep.RunAsync(options, environment.Targets(), log, cancellationToken);
            }
        }

        if (options.Runs("streams"))
        {
            log.WriteLine($"phase: {options.Streams} streams (scenario {options.StreamsScenario})");
            await environment.StartUpstreamAsync(options.StreamsScenario, cancellationToken);
            await environment.StartNginxAsync(cancellationToken);
            // A fresh proxy, so its peak resident memory belongs to this step alone.
            await environment.StartProxyAsync(stutterRepair: true, cancellationToken);
            log.WriteLine("step 3: many streams");
            var rows = new List<StreamsRow>();
            foreach (var target in environment.Targets())
            {
                rows.Add(await StreamsStep.RunAsync(options, target, MemoryOf(environment, target.Path), log, cancellationToken));
            }

            results.Streams = new StreamsResult(options.StreamsScenario, options.StreamRamp.TotalSeconds, options.StreamHoldSeconds, rows);
        }

        if (options.Runs("stutter"))
        {
            log.WriteLine($"phase: stutter repair (scenario {options.StutterScenario})");
            await environment.StartUpstreamAsync(options.StutterScenario, cancellationToken);
            log.WriteLine("step 4: time to first token, stutter repair on and off");
            var paths = new List<(string, LoadTarget)>();
            if (options.Drives(PathKind.Direct))
            {
                paths.Add(("direct", environment.Target(PathKind.Direct)));
            }

            // Two proxies side by side, repair on and off, measured in turn with direct: the same
            // moment of the machine for all three.
            if (await environment.StartProxiesAsync([(options.ProxyPort, true), (options.SecondProxyPort, false)], cancellationToken))
            {
                paths.Add(("proxy, repair on", LoadTarget.For(PathKind.Proxy, options.ProxyPort)));
                paths.Add(("proxy, repair off", LoadTarget.For(PathKind.Proxy, options.SecondProxyPort)));
            }

            var rows = await StutterStep.MeasureAsync(options, paths, log, cancellationToken);
            results.Stutter = new StutterResult(options.StutterScenario, options.StutterSamples, rows);
        }

        if (options.Runs("soak"))
        {
            await SoakAsync(environment, results, cancellationToken);
        }

        if (options.Runs("faults") && options.Drives(PathKind.Proxy))
        {
            log.WriteLine($"phase: partial upstream failure (scenario {FaultsStep.Scenario})");
            await environment.StartUpstreamAsync(FaultsStep.Scenario, cancellationToken);
            await environment.StartProxyAsync(stutterRepair: true, cancellationToken);
            log.WriteLine("step 5: concurrent streams, one in ten reset by the upstream half way");
            await FaultsStep.RunAsync(environment.Target(PathKind.Proxy), options.ApiKey, options.Model, log, cancellationToken);
        }

        environment.StopProxies();
        foreach (var (path, reason) in environment.Skipped)
        {
            results.Skipped.Add($"{path.ToString().ToLowerInvariant()}: {reason}");
        }

        results.LoadAverageAtEnd = MachineInfo.CurrentLoadAverage();
        results.Elapsed = clock.Elapsed;
        return results;
    }

    /// <summary>
    /// The soak: the emulator behind <see cref="FaultRelay"/> (which turns each request's marked scenario
    /// into the emulator's header), a fresh proxy in front whose idle upstream connections close after
    /// 5 s, so that what is still open after the load tells.
    /// </summary>
    private async Task SoakAsync(BenchEnvironment environment, BenchResults results, CancellationToken cancellationToken)
    {
        if (!options.Drives(PathKind.Proxy))
        {
            results.Skipped.Add("soak: it loads the proxy path, which --paths leaves out");
            return;
        }

        log.WriteLine($"phase: soak (scenario {options.SoakScenario}, upstream faults through the relay on {options.SoakRelayPort})");
        await environment.StartUpstreamAsync(options.SoakScenario, cancellationToken);
        await using var relay = await FaultRelay.StartAsync(options.SoakRelayPort,
            new Uri($"http://127.0.0.1:{options.EmulatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/"), cancellationToken);
        var soakEnvironment = new Dictionary<string, string>
        {
            ["UPSTREAM_BASE_URL"] = $"http://127.0.0.1:{options.SoakRelayPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}/v1",
            ["IDLE_CONN_TIMEOUT_SECONDS"] = "5",
        };
        if (!await environment.StartProxyAsync(stutterRepair: true, cancellationToken, soakEnvironment) || environment.ProxyPid is not { } pid)
        {
            return;
        }

        log.WriteLine("step 5: soak");
        results.Soak = await SoakStep.RunAsync(options, environment.Target(PathKind.Proxy), pid, log, cancellationToken);
    }

    private static Func<(long RssKb, long HwmKb)>? MemoryOf(BenchEnvironment environment, PathKind path) => path switch
    {
        PathKind.Proxy when environment.ProxyPid is { } pid => () => ProcMemory.Read(pid),
        // nginx's workers were started before this step; only their current RSS (summed) is this step's.
        PathKind.Nginx when environment.NginxPid is { } pid => () => (ProcMemory.ReadTree(pid).RssKb, 0),
        _ => null,
    };
}
