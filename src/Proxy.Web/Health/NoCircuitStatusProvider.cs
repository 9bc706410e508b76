namespace Proxy.Web.Health;

/// <summary>Used until the breaker actors register their provider: no circuits known.</summary>
internal sealed class NoCircuitStatusProvider : ICircuitStatusProvider
{
    public IReadOnlyList<CircuitStatus> GetCircuits() => [];
}
