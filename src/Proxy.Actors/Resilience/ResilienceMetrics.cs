using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Proxy.Actors.Resilience;

/// <summary>Circuit breaker instruments: state gauge (0 closed, 1 open, 2 half-open), transitions, active streams.</summary>
internal sealed class ResilienceMetrics : IDisposable
{
    public const string MeterName = "Proxy.Resilience";

    private readonly Meter _meter;
    private readonly Counter<long> _transitions;
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);

    public ResilienceMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _transitions = _meter.CreateCounter<long>("proxy.circuit.transitions", description: "Circuit breaker state changes, by account and new state.");
        _meter.CreateObservableGauge("proxy.circuit.state", ObserveStates, description: "Circuit state per account: 0 closed, 1 open, 2 half-open.");
        _meter.CreateObservableGauge("proxy.circuit.active_streams", ObserveStreams, description: "Streams running under each account's breaker.");
    }

    public void Track(CircuitBreaker breaker) => _breakers[breaker.Account] = breaker;

    public void Transitioned(string account, CircuitState to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("account", account), new KeyValuePair<string, object?>("state", StateName(to)));

    public void Dispose() => _meter.Dispose();

    public static string StateName(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        _ => "half_open",
    };

    private IEnumerable<Measurement<int>> ObserveStates() =>
        _breakers.Values.Select(b => new Measurement<int>((int)b.State, new KeyValuePair<string, object?>("account", b.Account)));

    private IEnumerable<Measurement<int>> ObserveStreams() =>
        _breakers.Values.Select(b => new Measurement<int>(b.ActiveStreams, new KeyValuePair<string, object?>("account", b.Account)));
}
