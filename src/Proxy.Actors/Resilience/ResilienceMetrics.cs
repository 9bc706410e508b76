using System.Diagnostics.Metrics;

namespace Proxy.Actors.Resilience;

/// <summary>
/// Counts circuit transitions on a given meter (the proxy's own, so they are exported with the rest).
/// The state itself is read from <see cref="CircuitBreaker.Snapshot"/> by the state gauge and /health/detailed.
/// </summary>
internal sealed class ResilienceMetrics
{
    private readonly Counter<long> _transitions;

    public ResilienceMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _transitions = meter.CreateCounter<long>(
            "qwen_proxy.circuit_breaker.transitions", "{transition}", "Circuit breaker state changes, by account and new state.");
    }

    public void Transitioned(string account, CircuitState to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("account", account), new KeyValuePair<string, object?>("state", StateName(to)));

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.HalfOpen => "half_open",
        _ => "open",
    };
}
