namespace Proxy.Web.Health;

/// <summary>One account's circuit breaker as <c>/health/detailed</c> and <c>/metrics</c> show it.</summary>
internal sealed record CircuitStatus(string Account, CircuitState State, int ConsecutiveFailures, DateTimeOffset? RetryAt = null);
