using Proxy.Actors.Resilience;
using Proxy.Web.Accounts;

namespace Proxy.Web.Gateway;

/// <summary>
/// Cluster mode: a dead mark travels as the longest cooldown with the dead reason, through the store
/// that already shares quota cooldowns, so every instance stops using a rejected key (for a day, or
/// until the next rejection marks it again). <see cref="AccountProbe"/> reads such a cooldown as dead.
/// </summary>
internal static class SharedDeadMarks
{
    public const string Reason = "invalid_api_key";
    public static readonly TimeSpan Hold = TimeSpan.FromHours(24);

    public static void Share(AccountState state, AccountCooldown cooldown, ICooldownStore store, TimeProvider time, ILogger logger) =>
        state.Died = reason =>
        {
            var until = time.GetUtcNow() + Hold;
            cooldown.Apply(until, reason);
            _ = PublishAsync(store, state.Name, until, logger);
        };

    private static async Task PublishAsync(ICooldownStore store, string account, DateTimeOffset until, ILogger logger)
    {
        try
        {
            await store.PublishAsync(account, until, CancellationToken.None);
        }
#pragma warning disable CA1031 // The local mark already holds; sharing it is best effort.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AccountLog.DeadMarkNotShared(logger, account, ex.GetType().Name);
        }
    }
}
