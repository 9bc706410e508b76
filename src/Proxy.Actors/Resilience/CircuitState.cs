namespace Proxy.Actors.Resilience;

/// <summary>The states of an account's circuit breaker; the numbers are the metric gauge's values (by severity).</summary>
internal enum CircuitState
{
    /// <summary>Requests flow; failures are counted.</summary>
    Closed = 0,

    /// <summary>Exactly one trial request is let through.</summary>
    HalfOpen = 1,

    /// <summary>Requests are refused at once until a trial is due.</summary>
    Open = 2,
}
