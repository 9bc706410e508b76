namespace Proxy.Actors.Auth;

/// <summary>
/// What health and status pages may know of one account's credential. Published by the token
/// manager on every change; reading it never triggers a refresh. Holds no secret.
/// </summary>
internal sealed record AuthSnapshot(
    string Account,
    AuthState State,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastRefreshAt,
    int RefreshCount,
    string? TokenHint,
    Uri? ApiBase,
    string? LastError)
{
    /// <summary>True while requests can be served (readiness): a credential is held and not dead.</summary>
    public bool IsUsable => State is AuthState.Valid or AuthState.Refreshing;

    public static AuthSnapshot Initial(string account) =>
        new(account, AuthState.NoCredential, null, null, 0, null, null, null);
}
