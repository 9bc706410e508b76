using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proxy.Actors.Resilience;

/// <summary>
/// One account's quota cooldown. A <see cref="FailureKind.QuotaExhausted"/> answer rests the account
/// until the reset time the upstream gave (else <see cref="CooldownOptions.DefaultCooldown"/>);
/// meanwhile calls are refused at once with 429 <c>insufficient_quota</c> without reaching the
/// upstream. It ends by itself when the time passes (read against the <see cref="TimeProvider"/>),
/// and it is not a circuit-breaker failure. Reads never wait: the state is one immutable snapshot.
/// </summary>
internal sealed class AccountCooldown
{
    private readonly CooldownOptions _options;
    private readonly TimeProvider _time;
    private readonly ICooldownStore? _store;
    private readonly ILogger _logger;
    private CooldownSnapshot _snapshot = CooldownSnapshot.None;

    public AccountCooldown(string account, TimeProvider time, CooldownOptions? options = null, ICooldownStore? store = null, ILogger? logger = null)
    {
        Account = account;
        _time = time;
        _options = (options ?? new CooldownOptions()).Validate();
        _store = store;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Account { get; }

    /// <summary>The published state (for /health/detailed); compare with the clock via <see cref="CooldownSnapshot.IsActive"/>.</summary>
    public CooldownSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>True while the account cools down, with how long is left.</summary>
    public bool IsCoolingDown(out TimeSpan retryAfter)
    {
        var now = _time.GetUtcNow();
        var snapshot = Snapshot;
        retryAfter = snapshot.Remaining(now);
        return snapshot.IsActive(now);
    }

    /// <summary>The answer given instead of calling the upstream while cooling down.</summary>
    public UpstreamResult Refusal(TimeSpan retryAfter) => UpstreamResult.Fail(
        FailureKind.QuotaExhausted,
        429,
        Snapshot.Reason is { } reason
            ? $"The upstream account's quota is exhausted ({reason}); retry later."
            : "The upstream account's quota is exhausted; retry later.",
        "insufficient_quota",
        retryAfter);

    /// <summary>Looks at an attempt's outcome; a quota answer starts (or extends) the cooldown.</summary>
    public void Observe(IUpstreamOutcome outcome)
    {
        if (outcome.Failure != FailureKind.QuotaExhausted)
        {
            return;
        }

        var rest = outcome.RetryAfter ?? _options.DefaultCooldown;
        rest = rest < _options.MinCooldown ? _options.MinCooldown : rest > _options.MaxCooldown ? _options.MaxCooldown : rest;
        var until = _time.GetUtcNow() + rest;
        if (Apply(until, (outcome as UpstreamResult)?.Message))
        {
            ResilienceLog.CooldownStarted(_logger, Account, until);
            if (_store is not null)
            {
                _ = PublishAsync(_store, until);
            }
        }
    }

    /// <summary>
    /// Ends the cooldown when it was set for <paramref name="reason"/> (a dead mark kept as a rest, lifted
    /// when the account's key is replaced). True when one ended.
    /// </summary>
    public bool Lift(string reason)
    {
        while (true)
        {
            var current = Snapshot;
            if (!string.Equals(current.Reason, reason, StringComparison.Ordinal))
            {
                return false;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _snapshot, CooldownSnapshot.None, current), current))
            {
                return true;
            }
        }
    }

    /// <summary>Cools down until <paramref name="until"/> unless already cooling down longer. True when it changed.</summary>
    public bool Apply(DateTimeOffset until, string? reason = null)
    {
        var next = new CooldownSnapshot(until, reason);
        while (true)
        {
            var current = Snapshot;
            if (current.Until >= until)
            {
                return false;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _snapshot, next, current), current))
            {
                return true;
            }
        }
    }

    /// <summary>Wraps a call: refused at once while cooling down, else made and its outcome observed.</summary>
    public UpstreamCall Guard(UpstreamCall call) => async cancellationToken =>
    {
        if (IsCoolingDown(out var retryAfter))
        {
            return Refusal(retryAfter);
        }

        var result = await call(cancellationToken).ConfigureAwait(false);
        Observe(result);
        return result;
    };

    private async Task PublishAsync(ICooldownStore store, DateTimeOffset until)
    {
        try
        {
            await store.PublishAsync(Account, until, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The local cooldown already holds; sharing it is best effort.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ResilienceLog.CooldownNotShared(_logger, Account, ex.GetType().Name);
        }
    }
}
