using Proxy.Actors.Resilience;
using Proxy.Web.Logging;

namespace Proxy.Web.Accounts;

/// <summary>
/// One account's live state in the pool: cooldown, dead mark, requests in flight, counters. Every
/// read is a volatile load and every change an interlocked one, so the request path never waits.
/// The account's actors (breaker, token manager) add what they know through an <see cref="IAccountProbe"/>.
/// </summary>
internal sealed class AccountState
{
    private static readonly int KindCount = Enum.GetValues<FailureKind>().Length;

    private readonly TimeProvider _time;
    private readonly AccountStateOptions _options;
    private readonly ILogger _logger;
    private readonly long[] _failures = new long[KindCount];
    private AccountCooldownState? _cooldown;
    private AccountDefinition _definition;
    private string? _deadReason;
    private long _inFlight;
    private long _requests;
    private long _successes;

    public AccountState(AccountDefinition definition, int index, TimeProvider time, AccountStateOptions? options = null, ILogger? logger = null)
    {
        _definition = definition;
        Index = index;
        _time = time;
        _options = options ?? new AccountStateOptions();
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>What the accounts file says of it; only its key is ever replaced (<see cref="ReplaceKey"/>).</summary>
    public AccountDefinition Definition => Volatile.Read(ref _definition);

    public string Name => Definition.Name;

    /// <summary>Position in the accounts file.</summary>
    public int Index { get; }

    /// <summary>The breaker's and token manager's view; set once when the account's actors exist.</summary>
    public IAccountProbe? Probe { get; set; }

    /// <summary>Told once when the account is marked dead, with the reason (cluster mode shares it).</summary>
    public Action<string>? Died { get; set; }

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Requests that reached (or tried to reach) this account's upstream.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public long Successes => Interlocked.Read(ref _successes);

    /// <summary>The current cooldown, also once it has passed (compare with the clock); null when never cooled.</summary>
    public AccountCooldownState? Cooldown => Volatile.Read(ref _cooldown);

    /// <summary><c>invalid_api_key</c> once the upstream rejected the key; null while alive.</summary>
    public string? DeadReason => Volatile.Read(ref _deadReason);

    /// <summary>Failures of one kind so far.</summary>
    public long Failures(FailureKind kind) => Interlocked.Read(ref _failures[(int)kind]);

    /// <summary>Every kind with at least one failure, by its wire name.</summary>
    public IReadOnlyDictionary<string, long> FailuresByKind()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<FailureKind>())
        {
            var count = Failures(kind);
            if (count > 0)
            {
                result[Metrics.ProxyMetrics.FailureLabel(kind)] = count;
            }
        }

        return result;
    }

    /// <summary>
    /// Whether the account can take a request at <paramref name="now"/>; when it cannot, <paramref name="until"/>
    /// says when it may again (null: not by itself). A cooldown whose trial is due counts as available.
    /// </summary>
    public AccountAvailability Check(DateTimeOffset now, out DateTimeOffset? until)
    {
        until = null;
        if (DeadReason is not null)
        {
            return AccountAvailability.Dead;
        }

        if (Probe is { } probe)
        {
            var external = probe.Check(now, out until);
            if (external != AccountAvailability.Available)
            {
                return external;
            }
        }

        if (Cooldown is { } cooldown && now < cooldown.Until && now < cooldown.TrialAt)
        {
            until = cooldown.TrialAt;
            return AccountAvailability.CoolingDown;
        }

        if (Definition.MaxConcurrent > 0 && InFlight >= Definition.MaxConcurrent)
        {
            return AccountAvailability.AtCapacity;
        }

        return AccountAvailability.Available;
    }

    /// <summary>
    /// Takes a place in flight if the account can take the request now. During a cooldown whose trial
    /// is due, exactly one caller gets the trial; the others are refused until it answers.
    /// </summary>
    public bool TryAcquire(out AccountLease lease)
    {
        lease = default;
        var now = _time.GetUtcNow();
        if (Check(now, out _) != AccountAvailability.Available)
        {
            return false;
        }

        var trial = false;
        if (Cooldown is { } cooldown && now < cooldown.Until)
        {
            // The trial is due: claim it, and move the next one a cooldown further on.
            var next = cooldown with { TrialAt = Min(now + _options.Cooldown, cooldown.Until) };
            if (!ReferenceEquals(Interlocked.CompareExchange(ref _cooldown, next, cooldown), cooldown))
            {
                return false;
            }

            trial = true;
        }

        var limit = Definition.MaxConcurrent;
        while (true)
        {
            var current = Interlocked.Read(ref _inFlight);
            if (limit > 0 && current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                break;
            }
        }

        Interlocked.Increment(ref _requests);
        lease = new AccountLease(this, trial);
        return true;
    }

    /// <summary>
    /// The request's outcome at the account: frees its place, counts it, and applies what it says:
    /// a quota or rate-limit answer starts a cooldown, a rejected key marks the account dead, a trial's
    /// success ends the cooldown.
    /// </summary>
    public void Complete(AccountLease lease, FailureKind failure, TimeSpan? retryAfter = null)
    {
        Interlocked.Decrement(ref _inFlight);
        Observe(failure, retryAfter, lease.IsTrial);
    }

    /// <summary>Applies an outcome that did not hold a place (e.g. one reported by another path).</summary>
    public void Observe(FailureKind failure, TimeSpan? retryAfter, bool trial = false)
    {
        if (failure == FailureKind.None)
        {
            Interlocked.Increment(ref _successes);
            if (trial && Cooldown is { } cooling && _time.GetUtcNow() < cooling.Until
                && ReferenceEquals(Interlocked.CompareExchange(ref _cooldown, null, cooling), cooling))
            {
                AccountLog.TrialSucceeded(_logger, Name);
            }

            return;
        }

        if (failure == FailureKind.ClientCanceled)
        {
            return;
        }

        Interlocked.Increment(ref _failures[(int)failure]);
        switch (failure)
        {
            case FailureKind.QuotaExhausted:
                CoolDown(failure, retryAfter ?? _options.Cooldown, replace: trial);
                break;
            case FailureKind.RateLimited when _options.RestOnRateLimit:
                CoolDown(failure, retryAfter ?? _options.RateLimitedCooldown, replace: trial);
                break;
            case FailureKind.AuthRequired or FailureKind.Unauthorized when Definition.Kind == AccountKind.ApiKey:
                MarkDead("invalid_api_key");
                break;
        }
    }

    /// <summary>Rests the account for <paramref name="rest"/> (bounded), unless it already rests longer and this is not a trial's answer.</summary>
    public void CoolDown(FailureKind kind, TimeSpan rest, bool replace = false)
    {
        rest = rest < _options.MinCooldown ? _options.MinCooldown : rest > _options.MaxCooldown ? _options.MaxCooldown : rest;
        var now = _time.GetUtcNow();
        var until = now + rest;
        var next = new AccountCooldownState(until, Min(now + _options.Cooldown, until), kind);
        while (true)
        {
            var current = Cooldown;
            if (!replace && current is not null && current.Until >= until)
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _cooldown, next, current), current))
            {
                AccountLog.CoolingDown(_logger, Name, until, Metrics.ProxyMetrics.FailureLabel(kind));
                return;
            }
        }
    }

    /// <summary>Takes the account out until its key is replaced (<see cref="ReplaceKey"/>) or the proxy restarts; logs once.</summary>
    /// <summary>
    /// Takes the key of <paramref name="updated"/> (the same account re-read from the accounts file) and
    /// lifts a dead mark, which only a rejected key sets. True when the account was dead.
    /// </summary>
    public bool ReplaceKey(AccountDefinition updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        if (!string.Equals(updated.Name, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{updated.Name}' is not account '{Name}'.", nameof(updated));
        }

        Volatile.Write(ref _definition, Definition with { ApiKey = updated.ApiKey, ApiKeySource = updated.ApiKeySource });
        return Interlocked.Exchange(ref _deadReason, null) is not null;
    }

    public void MarkDead(string reason)
    {
        if (Interlocked.CompareExchange(ref _deadReason, reason, null) is null)
        {
            AccountLog.Dead(_logger, Name, Secrets.Mask(Definition.ApiKey), Definition.ApiKeySource ?? "the credential");
            Died?.Invoke(reason);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
