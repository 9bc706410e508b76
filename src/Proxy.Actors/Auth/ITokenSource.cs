namespace Proxy.Actors.Auth;

/// <summary>A bearer credential for one upstream account, and where to use it.</summary>
/// <param name="Value">The access token or API key. Never logged.</param>
/// <param name="ExpiresAt">When it stops working; <see cref="DateTimeOffset.MaxValue"/> for API keys.</param>
/// <param name="ApiBase">The upstream API base, e.g. <c>https://portal.qwen.ai/v1</c>.</param>
public sealed record AccessToken(string Value, DateTimeOffset ExpiresAt, Uri ApiBase)
{
    /// <summary>The last four characters, the most of a secret a log line may show.</summary>
    public string Hint => Value.Length <= 4 ? "****" : "…" + Value[^4..];

    public override string ToString() => $"AccessToken({Hint}, expires {ExpiresAt:O}, {ApiBase})";
}

/// <summary>Gives the request path a usable token without making it wait for a login.</summary>
public interface ITokenSource
{
    /// <summary>
    /// A currently valid token: from memory when valid, else after the one shared refresh.
    /// Throws <see cref="AuthRequiredException"/> when no credential is usable (a login is needed).
    /// </summary>
    ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The upstream rejected <paramref name="rejected"/> with 401. Refreshes once if it is still the
    /// current token (otherwise returns the newer one). Throws <see cref="AuthRequiredException"/>
    /// when the credential is dead.
    /// </summary>
    ValueTask<AccessToken> RenewAfterUnauthorizedAsync(AccessToken rejected, CancellationToken cancellationToken);
}

/// <summary>No usable credential: the client gets 503 <c>auth_required</c> with the login URL.</summary>
public sealed class AuthRequiredException : Exception
{
    public AuthRequiredException()
        : this("No usable upstream credential; a login is required.")
    {
    }

    public AuthRequiredException(string message)
        : base(message)
    {
    }

    public AuthRequiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
