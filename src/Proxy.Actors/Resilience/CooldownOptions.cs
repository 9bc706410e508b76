namespace Proxy.Actors.Resilience;

/// <summary>How long an account rests after the upstream said its quota is exhausted.</summary>
internal sealed record CooldownOptions
{
    /// <summary>Used when the upstream gives no reset time.</summary>
    public TimeSpan DefaultCooldown { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The shortest cooldown, even when the upstream says the quota resets now.</summary>
    public TimeSpan MinCooldown { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest cooldown, whatever reset time the upstream names.</summary>
    public TimeSpan MaxCooldown { get; init; } = TimeSpan.FromHours(24);

    public CooldownOptions Validate()
    {
        if (MinCooldown < TimeSpan.Zero || DefaultCooldown < MinCooldown || MaxCooldown < DefaultCooldown)
        {
            throw new ArgumentException("Cooldown options need 0 <= MinCooldown <= DefaultCooldown <= MaxCooldown.", nameof(DefaultCooldown));
        }

        return this;
    }
}
