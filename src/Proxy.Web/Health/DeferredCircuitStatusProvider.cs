namespace Proxy.Web.Health;

/// <summary>
/// Resolves the registered <see cref="ICircuitStatusProvider"/> only when asked (at scrape time),
/// so <see cref="Metrics.ProxyMetrics"/> can observe breakers whose own construction needs the
/// metrics, without a construction cycle.
/// </summary>
internal sealed class DeferredCircuitStatusProvider(IServiceProvider services) : ICircuitStatusProvider
{
    public IReadOnlyList<CircuitStatus> GetCircuits() => services.GetRequiredService<ICircuitStatusProvider>().GetCircuits();
}
