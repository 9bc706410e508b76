namespace Proxy.Actors.Auth;

/// <summary>Where one account's OAuth credential stands.</summary>
internal enum AuthState
{
    /// <summary>No credential stored: a login is needed.</summary>
    NoCredential,

    /// <summary>A credential is held (its access token may be close to expiry or, after failed refreshes, past it).</summary>
    Valid,

    /// <summary>A refresh is under way; requests that need a new token wait for it.</summary>
    Refreshing,

    /// <summary>The refresh token was rejected: a new login is needed (never retried).</summary>
    Dead,
}
