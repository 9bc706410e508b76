using Proxy.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Health;
using Proxy.Web.Metrics;
using CircuitState = Proxy.Web.Health.CircuitState;

namespace Proxy.Web.Tests.Metrics;

public sealed class MetricsCompositionTests
{
    /// <summary>Like a breaker that reports retries to the metrics it is observed by.</summary>
    private sealed class BreakerNeedingMetrics : ICircuitStatusProvider
    {
        private static int s_instances;

        public BreakerNeedingMetrics(ProxyMetrics metrics)
        {
            Assert.Equal(1, Interlocked.Increment(ref s_instances));
            Metrics = metrics;
        }

        public ProxyMetrics Metrics { get; }

        public IReadOnlyList<CircuitStatus> GetCircuits() => [new CircuitStatus("qwen", CircuitState.Open, 10)];
    }

    [Fact]
    public async Task A_circuit_provider_that_needs_the_metrics_is_built_once_and_observed()
    {
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<ICircuitStatusProvider, BreakerNeedingMetrics>());

        using var response = await proxy.Client.GetAsync("/metrics");

        var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, samples["""qwen_proxy_circuit_breaker_state{otel_scope_name="Qwen.Proxy",account="qwen"}"""]);
        var breaker = (BreakerNeedingMetrics)proxy.Services.GetRequiredService<ICircuitStatusProvider>();
        Assert.Same(proxy.Services.GetRequiredService<ProxyMetrics>(), breaker.Metrics);
    }
}
