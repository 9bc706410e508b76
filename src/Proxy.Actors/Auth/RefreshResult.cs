namespace Proxy.Actors.Auth;

/// <summary>How a refresh grant ended.</summary>
internal enum RefreshStatus
{
    /// <summary>A new access token; <see cref="RefreshResult.Credentials"/> is set.</summary>
    Success,

    /// <summary>400/401: the refresh token is dead, a new login is required. Never retried.</summary>
    Dead,

    /// <summary>Network failure, timeout, 429 or 5xx: worth retrying later.</summary>
    Transient,
}

internal sealed record RefreshResult(RefreshStatus Status, QwenCredentials? Credentials, string Message)
{
    public static RefreshResult Success(QwenCredentials credentials) => new(RefreshStatus.Success, credentials, "Refreshed.");

    public static RefreshResult Dead(string message) => new(RefreshStatus.Dead, null, message);

    public static RefreshResult Transient(string message) => new(RefreshStatus.Transient, null, message);
}
