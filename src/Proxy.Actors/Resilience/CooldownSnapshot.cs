namespace Proxy.Actors.Resilience;

/// <summary>An account's quota cooldown as published: cooling down until <see cref="Until"/>.</summary>
/// <param name="Until">When requests may go upstream again; <see cref="DateTimeOffset.MinValue"/> when never cooled.</param>
/// <param name="Reason">What the upstream said when the cooldown began.</param>
internal sealed record CooldownSnapshot(DateTimeOffset Until, string? Reason)
{
    public static readonly CooldownSnapshot None = new(DateTimeOffset.MinValue, null);

    public bool IsActive(DateTimeOffset now) => now < Until;

    public TimeSpan Remaining(DateTimeOffset now) => now < Until ? Until - now : TimeSpan.Zero;
}
