namespace Proxy.Web.Auth;

/// <summary>Log lines of the login page and command (event ids 3100-3119). No secret: tokens only as hints.</summary>
internal static partial class AuthWebLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Device login started: approve at {VerificationUri} before {ExpiresAt:O}")]
    public static partial void LoginStarted(ILogger logger, Uri verificationUri, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Device login approved for account {Account}: token {TokenHint} expires {ExpiresAt:O}")]
    public static partial void LoginCompleted(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Device login ended {Phase}: {Reason}")]
    public static partial void LoginEnded(ILogger logger, string phase, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Device login failed: {Reason}")]
    public static partial void LoginFailed(ILogger logger, string reason);
}
