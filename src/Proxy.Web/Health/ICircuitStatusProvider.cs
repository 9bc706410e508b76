namespace Proxy.Web.Health;

/// <summary>Breaker snapshots per account for health and metrics; reads published state, never waits.</summary>
internal interface ICircuitStatusProvider
{
    IReadOnlyList<CircuitStatus> GetCircuits();
}
