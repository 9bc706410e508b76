namespace Proxy.Actors.Auth;

/// <summary>
/// Where one account's OAuth credential is kept, and the lock that lets several processes share it
/// without invalidating each other's rotating refresh token. The default is the CLI's credential
/// file (<see cref="FileCredentialStore"/>); a database store can take its place in cluster mode.
/// </summary>
internal interface ICredentialStore
{
    /// <summary>Where the credential lives, for logs and status (never a secret).</summary>
    string Location { get; }

    /// <summary>
    /// The stored credential, or null when there is none (or it is unreadable). Cheap when nothing
    /// changed since the last call; re-read when another process changed it.
    /// </summary>
    ValueTask<QwenCredentials?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the stored credential atomically: a reader sees the old one or the new one.</summary>
    ValueTask SaveAsync(QwenCredentials credentials, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> while holding the cross-process refresh lock. Inside it the
    /// caller re-reads with <see cref="LoadAsync"/>, refreshes only if nobody else did, and saves.
    /// Throws <see cref="CredentialLockTimeoutException"/> when the lock stays taken.
    /// </summary>
    Task<T> RunUnderRefreshLockAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken);
}
