using System.Diagnostics.Metrics;

namespace Proxy.Actors.Resilience;

/// <summary>
/// Counts circuit transitions on the proxy's meter (<c>Qwen.Proxy</c>; a meter factory hands out the
/// same instance the rest of the proxy's instruments live on, so they are exported together).
/// The state itself is read from <see cref="CircuitBreaker.Snapshot"/> by the state gauge and /health/detailed.
/// </summary>
internal sealed class ResilienceMetrics : IDisposable
{
    public const string MeterName = "Qwen.Proxy";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _transitions;

    public ResilienceMetrics(IMeterFactory? meterFactory = null)
        : this(meterFactory?.Create(MeterName) ?? new Meter(MeterName), owned: meterFactory is null)
    {
    }

    public ResilienceMetrics(Meter meter)
        : this(meter, owned: false)
    {
    }

    private ResilienceMetrics(Meter meter, bool owned)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _ownedMeter = owned ? meter : null;
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

    public void Dispose() => _ownedMeter?.Dispose();
}
