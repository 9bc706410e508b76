namespace Proxy.Actors.Auth;

/// <summary>
/// The token manager's published state: written only by its actor, read lock-free by the request
/// path (one volatile reference to an immutable view).
/// </summary>
internal sealed class TokenPublication
{
    private volatile View _current;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TokenPublication(AuthSnapshot initial) => _current = new View(null, DateTimeOffset.MinValue, initial);

    public View Current => _current;

    /// <summary>Completes at the next <see cref="Publish"/>.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Publish(View view)
    {
        _current = view;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <param name="Token">The current token while the credential is usable, else null.</param>
    /// <param name="FreshUntil">Until then the token may be handed out without asking the actor (expiry minus the refresh buffer).</param>
    /// <param name="Snapshot">The state for health and status pages.</param>
    internal sealed record View(AccessToken? Token, DateTimeOffset FreshUntil, AuthSnapshot Snapshot);
}
