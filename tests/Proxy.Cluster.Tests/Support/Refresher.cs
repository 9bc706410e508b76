using Proxy.Actors.Auth;

namespace Proxy.Cluster.Tests.Support;

/// <summary>What a token manager does to refresh: under the lock, re-read, refresh only if still needed, save.</summary>
internal static class Refresher
{
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    /// <param name="whileLocked">Runs under the lock after the re-read, before the refresh grant.</param>
    public static Task<QwenCredentials?> RefreshIfNeededAsync(
        ICredentialStore store,
        FakeTokenEndpoint endpoint,
        Func<Task>? whileLocked = null,
        Func<Task>? beforeSave = null) =>
        store.RunUnderRefreshLockAsync(
            async ct =>
            {
                var current = await store.LoadAsync(ct);
                if (whileLocked is not null)
                {
                    await whileLocked();
                }

                if (current is null || current.IsValidFor(DateTimeOffset.UtcNow, Margin))
                {
                    return current;
                }

                var refreshed = endpoint.Refresh(current);
                if (refreshed is null)
                {
                    return null;
                }

                if (beforeSave is not null)
                {
                    await beforeSave();
                }

                await store.SaveAsync(refreshed, ct);
                return refreshed;
            },
            CancellationToken.None);

    public static QwenCredentials Expired(string access, string refresh) =>
        new(access, refresh, "Bearer", "portal.qwen.ai", DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds()));

    public static QwenCredentials Valid(string access, string refresh, string? resource = "portal.qwen.ai") =>
        new(access, refresh, "Bearer", resource, DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()));
}
