using Proxy.Web.Accounts;
using Proxy.Web.Configuration;
using Proxy.Web.Hosting;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;

namespace Proxy.Web.Health;

/// <summary>
/// Builds <c>/health/detailed</c> from published state only (readiness, accounts, circuits,
/// streams, counters, memory); it never waits on an actor, logs in or refreshes.
/// </summary>
internal sealed class HealthReporter(
    ProxyOptions options,
    IReadinessProbe readiness,
    IAccountStatusProvider accounts,
    ICircuitStatusProvider circuits,
    StreamConcurrencyLimiter streams,
    ProxyMetrics metrics,
    Uptime uptime,
    TimeProvider time,
    AccountPool? pool = null)
{
    public DetailedHealthResponse Detailed(string requestId)
    {
        var now = time.GetUtcNow();
        var ready = readiness.Check();
        var circuitList = circuits.GetCircuits();
        var degraded = !ready.IsReady || circuitList.Any(c => c.State != CircuitState.Closed);

        return new DetailedHealthResponse(
            degraded ? "degraded" : "ok",
            ProxyInfo.Version,
            (long)uptime.Elapsed.TotalSeconds,
            requestId,
            options.UpstreamMode == UpstreamMode.ApiKey ? "api_key" : "qwen_oauth",
            new ReadinessResponse(ready.IsReady ? "ready" : "not_ready", ready.Detail),
            accounts.GetAccounts()
                .Select(a => new AccountHealth(a.Id, a.AuthState, a.ExpiresAt, a.ExpiresAt is { } at ? (long)(at - now).TotalSeconds : null, a.Detail))
                .ToList(),
            circuitList
                .Select(c => new CircuitHealth(c.Account, StateText(c.State), c.ConsecutiveFailures, c.RetryAt))
                .ToList(),
            new StreamHealth(streams.Active, streams.Limit),
            new CounterHealth(
                metrics.RequestsTotal,
                metrics.ClientErrorsTotal,
                metrics.ServerErrorsTotal,
                metrics.StreamsTotal,
                metrics.StutterRepairsTotal,
                metrics.RetriesTotal,
                metrics.RefreshesTotal,
                metrics.RateLimitedTotal),
            new MemoryHealth(
                Environment.WorkingSet,
                GC.GetTotalMemory(forceFullCollection: false),
                GC.GetTotalAllocatedBytes(),
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2)))
        {
            Pool = pool?.Accounts.Select(a => Account(a, now)).ToList(),
        };
    }

    private static PoolAccountHealth Account(AccountState account, DateTimeOffset now)
    {
        var state = account.Check(now, out var until);
        var cooldown = account.Cooldown is { } c && now < c.Until ? c : null;
        return new PoolAccountHealth(
            account.Name,
            account.Definition.Kind == AccountKind.QwenOAuth ? "qwen-oauth" : "api-key",
            account.Definition.Preset,
            state.ToWire(),
            account.DeadReason ?? (state == AccountAvailability.Dead ? "invalid_api_key" : null),
            until,
            cooldown is null ? null : ProxyMetrics.FailureLabel(cooldown.Kind),
            cooldown?.Until,
            account.InFlight,
            account.Requests,
            account.Successes,
            account.FailuresByKind());
    }

    private static string StateText(CircuitState state) => state switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        _ => "closed",
    };
}
