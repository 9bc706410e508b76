using System.Diagnostics;
using System.Text;
using Proxy.Actors.Resilience;
using Proxy.Actors.Tests.Upstream;
using Proxy.Actors.Upstream;
using Qwen.Emulator;
using Xunit.Abstractions;

namespace Proxy.Actors.Tests.Resilience;

/// <summary>Client, retry pipeline and breaker together against an emulator that fails on purpose.</summary>
public sealed class FaultInjectionTests : BreakerTestKit
{
    private readonly ITestOutputHelper _output;

    public FaultInjectionTests(ITestOutputHelper output)
        : base(output) => _output = output;

    private const string ApiKey = "sk-fault-key-0001";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"qwen3-coder-plus","stream":false,"messages":[{"role":"user","content":"hi"}]}""");

    [Fact]
    public async Task At_a_twenty_percent_transient_fault_rate_retries_carry_at_least_99_5_percent_of_requests()
    {
        const int requests = 2_000;
        var options = new EmulatorOptions { FaultRate = 0.2, FaultKind = "503" };
        options.ApiKeys.Add(ApiKey);
        await using var emulator = await EmulatorHost.StartAsync(options);
        using var client = new QwenUpstreamClient(new UpstreamOptions());
        var pipeline = RetryPipelines.Create(
            new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(2), MaxDelay = TimeSpan.FromMilliseconds(20), Budget = TimeSpan.FromSeconds(30) },
            TimeProvider.System);
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, new Uri(emulator.BaseUrl, "/v1").AbsoluteUri));
        var succeeded = 0;
        var failures = new int[Enum.GetValues<FailureKind>().Length];
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
        {
            using var result = await pipeline.ExecuteAsync(client.CreateCall(Body, "chat/completions", tokens, null), ct);
            if (result.IsSuccess)
            {
                var answer = await result.Response!.Content.ReadAsStringAsync(ct);
                Assert.Contains("\"chat.completion\"", answer, StringComparison.Ordinal);
                Interlocked.Increment(ref succeeded);
            }
            else
            {
                Interlocked.Increment(ref failures[(int)result.Failure]);
            }
        });

        clock.Stop();
        var attempts = emulator.State.ChatRequestCount;
        var faulted = emulator.State.Requests.Count(r => r.Fault is not null);
        _output.WriteLine(
            $"{succeeded}/{requests} succeeded ({100.0 * succeeded / requests:0.00} %), {attempts} upstream attempts, " +
            $"{faulted} injected 503s ({100.0 * faulted / attempts:0.0} % of attempts), {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.InRange(faulted / (double)attempts, 0.15, 0.25);
        Assert.True(succeeded >= requests * 0.995, $"only {succeeded} of {requests} succeeded");
        Assert.Equal(requests - succeeded, failures[(int)FailureKind.UpstreamServerError]);
    }

    [Fact]
    public async Task With_the_upstream_down_the_breaker_opens_refuses_in_under_a_millisecond_and_a_good_trial_closes_it()
    {
        var options = new EmulatorOptions { FaultKind = "503" };
        options.ApiKeys.Add(ApiKey);
        await using var emulator = await EmulatorHost.StartAsync(options);
        var breakerOptions = new BreakerOptions { MaxFailures = 10, BaseOpenDelay = TimeSpan.FromSeconds(5), Randomizer = () => 0.5 };
        StartBreaker(breakerOptions);
        var breaker = Breaker;
        await Settled();
        var gate = new AccountGate(new AccountCooldown("acct", Clock.Time), breaker);
        using var client = new QwenUpstreamClient(new UpstreamOptions());
        var pipeline = RetryPipelines.Create(
            new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), Budget = TimeSpan.FromSeconds(30) },
            TimeProvider.System);
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey(ApiKey, new Uri(emulator.BaseUrl, "/v1").AbsoluteUri));
        var down = client.CreateCall(Body, "chat/completions", tokens, null);
        var up = client.CreateCall(Body, "chat/completions", tokens, new Dictionary<string, string> { ["X-Emulator-Scenario"] = "fault=none" });

        // Down: every request fails after its retries, until the tenth opens the circuit.
        for (var i = 0; i < breakerOptions.MaxFailures; i++)
        {
            using var failed = await gate.SendAsync(down, pipeline, CancellationToken.None);
            Assert.Equal(FailureKind.UpstreamServerError, failed.Failure);
        }

        var open = await Settled();
        Assert.Equal(CircuitState.Open, open.State);
        var upstreamCalls = emulator.State.ChatRequestCount;
        Assert.Equal(breakerOptions.MaxFailures * 4, upstreamCalls);

        // Open: refused at once, without calling the upstream.
        const int refusals = 20_000;
        for (var i = 0; i < 1_000; i++)
        {
            using var warm = await gate.SendAsync(down, pipeline, CancellationToken.None);
        }

        var times = new long[refusals];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < refusals; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var refused = await gate.SendAsync(down, pipeline, CancellationToken.None);
            times[i] = Stopwatch.GetTimestamp() - start;
            Assert.Equal(FailureKind.CircuitOpen, refused.Failure);
        }

        total.Stop();
        Array.Sort(times);
        var mean = total.Elapsed / refusals;
        var p99 = Stopwatch.GetElapsedTime(0, times[(int)(refusals * 0.99)]);
        var p999 = Stopwatch.GetElapsedTime(0, times[(int)(refusals * 0.999)]);
        var max = Stopwatch.GetElapsedTime(0, times[^1]);
        var median = Stopwatch.GetElapsedTime(0, times[refusals / 2]);
        var overOneMs = times.Count(t => Stopwatch.GetElapsedTime(0, t) >= TimeSpan.FromMilliseconds(1));
        _output.WriteLine(
            $"{refusals} refusals while open: mean {mean.TotalMicroseconds:0.00} µs, median {median.TotalMicroseconds:0.00} µs, " +
            $"p99 {p99.TotalMicroseconds:0.00} µs, p99.9 {p999.TotalMicroseconds:0.00} µs, max {max.TotalMicroseconds:0} µs, {overOneMs} at or over 1 ms");
        Assert.True(mean < TimeSpan.FromMilliseconds(1), $"mean refusal {mean}");
        Assert.True(p99 < TimeSpan.FromMilliseconds(1), $"p99 refusal {p99}");
        Assert.Equal(upstreamCalls, emulator.State.ChatRequestCount);

        // The upstream is back; after the open delay one trial goes through and closes the circuit.
        Clock.Advance(breakerOptions.BaseOpenDelay);
        var halfOpen = await Settled();
        Assert.Equal(CircuitState.HalfOpen, halfOpen.State);
        using (var trial = await gate.SendAsync(up, pipeline, CancellationToken.None))
        {
            Assert.True(trial.IsSuccess);
        }

        var closed = await Settled();
        Assert.Equal(CircuitState.Closed, closed.State);
        using var after = await gate.SendAsync(up, pipeline, CancellationToken.None);
        Assert.True(after.IsSuccess);
        Assert.Equal(upstreamCalls + 2, emulator.State.ChatRequestCount);
    }
}
