namespace Proxy.Web.Health;

/// <summary>A circuit breaker's state as reported to health and metrics (gauge values 0, 1, 2).</summary>
internal enum CircuitState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}
