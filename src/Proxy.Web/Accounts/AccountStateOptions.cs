namespace Proxy.Web.Accounts;

/// <summary>How long accounts rest after a quota or rate-limit answer.</summary>
internal sealed record AccountStateOptions
{
    /// <summary>
    /// <c>ACCOUNT_COOLDOWN</c>: the rest after a quota answer without a reset time, and how often a
    /// longer cooldown lets one trial request through (a success ends it early).
    /// </summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether a 429 without quota wording rests the account. The pool sets it only when it holds
    /// several accounts: a rest moves requests to the others, while the only account's rest would
    /// refuse every client for one request's rate limit (that request's retry honours the upstream's
    /// <c>Retry-After</c> itself). A quota answer rests the account either way.
    /// </summary>
    public bool RestOnRateLimit { get; init; } = true;

    /// <summary>The rest after a 429 without quota wording and without <c>Retry-After</c>.</summary>
    public TimeSpan RateLimitedCooldown { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest rest, whatever reset time the upstream names.</summary>
    public TimeSpan MaxCooldown { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The shortest rest, even when the upstream says the quota resets now.</summary>
    public TimeSpan MinCooldown { get; init; } = TimeSpan.FromSeconds(1);
}
