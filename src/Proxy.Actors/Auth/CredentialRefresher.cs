using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Auth;

/// <summary>How one refresh attempt ended.</summary>
internal enum RefreshOutcomeKind
{
    /// <summary>We refreshed and stored the new credential.</summary>
    Refreshed,

    /// <summary>Another process had already refreshed; its credential was taken from the store.</summary>
    Adopted,

    /// <summary>The refresh token was rejected: a new login is needed.</summary>
    Dead,

    /// <summary>Network, timeout, 5xx or a lock that stayed taken: try again later.</summary>
    Transient,
}

internal sealed record RefreshOutcome(RefreshOutcomeKind Kind, QwenCredentials? Credentials, string Message);

/// <summary>
/// One refresh, done the way the Qwen Code CLI does it so both can share a credential: take the
/// store's refresh lock, re-read, skip the refresh when another process already replaced the
/// token, else refresh with the newest refresh token and save before releasing the lock.
/// </summary>
internal sealed class CredentialRefresher
{
    private readonly ICredentialStore _store;
    private readonly DeviceFlowClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _buffer;
    private readonly ILogger _logger;

    public CredentialRefresher(ICredentialStore store, DeviceFlowClient client, TimeProvider time, TimeSpan refreshBuffer, ILogger logger)
    {
        _store = store;
        _client = client;
        _time = time;
        _buffer = refreshBuffer;
        _logger = logger;
    }

    public ICredentialStore Store => _store;

    /// <summary>Replaces <paramref name="current"/> (whose access token is expiring or was rejected). Never throws but for cancellation.</summary>
    public async Task<RefreshOutcome> RefreshAsync(QwenCredentials current, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.RunUnderRefreshLockAsync(ct => RefreshLockedAsync(current, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialLockTimeoutException ex)
        {
            var stored = await TryLoadAsync(cancellationToken).ConfigureAwait(false);
            if (IsNewerAndUsable(stored, current, TimeSpan.Zero))
            {
                return new RefreshOutcome(RefreshOutcomeKind.Adopted, stored, "Taken from the store.");
            }

            return new RefreshOutcome(RefreshOutcomeKind.Transient, null, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new RefreshOutcome(RefreshOutcomeKind.Transient, null, $"The credential store failed: {ex.Message}");
        }
    }

    private async Task<RefreshOutcome> RefreshLockedAsync(QwenCredentials current, CancellationToken cancellationToken)
    {
        var stored = await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        if (IsNewerAndUsable(stored, current, _buffer))
        {
            return new RefreshOutcome(RefreshOutcomeKind.Adopted, stored, "Taken from the store.");
        }

        // Another process may have rotated the refresh token without a usable access token; the
        // newest refresh token is the only one the server still honours.
        var basis = stored is not null && stored.RefreshToken.Length > 0 && stored.RefreshToken != current.RefreshToken ? stored : current;
        var result = await _client.RefreshAsync(basis, cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case RefreshStatus.Success:
                var fresh = result.Credentials!;
                try
                {
                    await _store.SaveAsync(fresh, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The new token still works; only other processes miss it.
                    AuthLog.CredentialSaveFailed(_logger, _store.Location, ex.Message);
                }

                return new RefreshOutcome(RefreshOutcomeKind.Refreshed, fresh, result.Message);
            case RefreshStatus.Dead:
                return new RefreshOutcome(RefreshOutcomeKind.Dead, null, result.Message);
            default:
                return new RefreshOutcome(RefreshOutcomeKind.Transient, null, result.Message);
        }
    }

    private bool IsNewerAndUsable(QwenCredentials? stored, QwenCredentials current, TimeSpan margin) =>
        stored is not null && stored.AccessToken != current.AccessToken && stored.IsValidFor(_time.GetUtcNow(), margin);

    private async Task<QwenCredentials?> TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _store.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
