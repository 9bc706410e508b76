namespace Proxy.Web.Health;

/// <summary><c>GET /</c>.</summary>
internal sealed record BannerResponse(string Name, string Version, long UptimeSeconds, string Docs);

/// <summary><c>GET /health</c>.</summary>
internal sealed record HealthResponse(string Status);

/// <summary><c>GET /health/ready</c>.</summary>
internal sealed record ReadinessResponse(string Status, string Detail);

/// <summary><c>GET /health/detailed</c>.</summary>
internal sealed record DetailedHealthResponse(
    string Status,
    string Version,
    long UptimeSeconds,
    string RequestId,
    string UpstreamMode,
    ReadinessResponse Readiness,
    IReadOnlyList<AccountHealth> Accounts,
    IReadOnlyList<CircuitHealth> Circuits,
    StreamHealth Streams,
    CounterHealth Counters,
    MemoryHealth Memory)
{
    /// <summary>Each upstream account of the pool: state, cooldown, in flight, requests, failures by kind.</summary>
    public IReadOnlyList<PoolAccountHealth>? Pool { get; init; }
}

/// <summary>One account of the pool in <c>/health/detailed</c> (never its key).</summary>
internal sealed record PoolAccountHealth(
    string Name,
    string Kind,
    string? Preset,
    string State,
    string? DeadReason,
    DateTimeOffset? Until,
    string? CooldownKind,
    DateTimeOffset? CooldownUntil,
    long InFlight,
    long Requests,
    long Successes,
    IReadOnlyDictionary<string, long> Failures);

internal sealed record AccountHealth(string Id, string AuthState, DateTimeOffset? ExpiresAt, long? ExpiresInSeconds, string? Detail);

internal sealed record CircuitHealth(string Account, string State, int ConsecutiveFailures, DateTimeOffset? RetryAt);

internal sealed record StreamHealth(long Active, int Limit);

internal sealed record CounterHealth(
    long Requests,
    long ClientErrors,
    long ServerErrors,
    long Streams,
    long StutterRepairs,
    long Retries,
    long Refreshes,
    long RateLimited);

internal sealed record MemoryHealth(long WorkingSetBytes, long GcHeapBytes, long GcTotalAllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections);
