namespace Proxy.Actors.Resilience;

/// <summary>The states of an account's circuit breaker; the numbers are the metric gauge's values.</summary>
internal enum CircuitState
{
    /// <summary>Requests flow; failures are counted.</summary>
    Closed = 0,

    /// <summary>Requests are refused at once until a trial is due.</summary>
    Open = 1,

    /// <summary>Exactly one trial request is let through.</summary>
    HalfOpen = 2,
}
