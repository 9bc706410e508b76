namespace Proxy.Actors.Resilience;

/// <summary>
/// Shares quota cooldowns between proxy instances (cluster mode, e.g. a PostgreSQL table with
/// NOTIFY). The request path never waits on it: each instance keeps its own
/// <see cref="AccountCooldown"/> as the published snapshot, writes a new cooldown through
/// <see cref="PublishAsync"/>, and feeds cooldowns learnt from other instances (at start-up and
/// on notification) into <see cref="AccountCooldown.Apply"/>.
/// </summary>
internal interface ICooldownStore
{
    /// <summary>Records that <paramref name="account"/> cools down until <paramref name="until"/> and tells the other instances.</summary>
    ValueTask PublishAsync(string account, DateTimeOffset until, CancellationToken cancellationToken);
}
