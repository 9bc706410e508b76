namespace Proxy.Actors.Auth;

/// <summary>
/// The access token has expired and refreshing it failed for a reason that may pass (network,
/// timeout, 5xx); a retry is scheduled. Unlike <see cref="AuthRequiredException"/> no login is needed.
/// </summary>
public sealed class TokenRefreshFailedException : Exception
{
    public TokenRefreshFailedException()
        : this("The upstream access token could not be refreshed; try again shortly.")
    {
    }

    public TokenRefreshFailedException(string message)
        : base(message)
    {
    }

    public TokenRefreshFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
