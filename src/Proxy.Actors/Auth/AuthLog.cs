using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Auth;

/// <summary>
/// Every log line of the auth area, with its event id (3000-3099). Secrets never appear: tokens
/// only as <see cref="AccessToken.Hint"/>, device codes and refresh tokens not at all.
/// </summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Credential lock {Path} is held by another process (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void LockBusy(ILogger logger, string path, int attempt, double delayMs);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Credential lock {Path} stayed held through {Attempts} attempts")]
    public static partial void LockTimedOut(ILogger logger, string path, int attempts);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Removed stale credential lock {Path} ({AgeSeconds:F1} s old)")]
    public static partial void StaleLockRemoved(ILogger logger, string path, double ageSeconds);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Credential lock {Path} no longer held our id at release; left it alone")]
    public static partial void LockLostBeforeRelease(ILogger logger, string path);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Could not release credential lock {Path}: {Reason}")]
    public static partial void LockReleaseFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Credential file {Path} is not a usable credential; ignoring it")]
    public static partial void CredentialFileUnreadable(ILogger logger, string path);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Saved credential {TokenHint} (expires {ExpiresAt:O}) to {Path}")]
    public static partial void CredentialSaved(ILogger logger, string path, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Device login started at {VerificationUri} (code expires {ExpiresAt:O})")]
    public static partial void DeviceCodeIssued(ILogger logger, Uri verificationUri, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Warning, Message = "Device login poll failed ({Failures} in a row): {Reason}")]
    public static partial void DevicePollFailed(ILogger logger, int failures, string reason);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Debug, Message = "Device login poll asked to slow down; polling every {IntervalSeconds:F2} s")]
    public static partial void DevicePollSlowDown(ILogger logger, double intervalSeconds);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Information, Message = "Device login approved: token {TokenHint} expires {ExpiresAt:O}")]
    public static partial void DeviceLoginApproved(ILogger logger, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Warning, Message = "Device login ended: {Outcome}")]
    public static partial void DeviceLoginEnded(ILogger logger, string outcome);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "Could not save the refreshed credential to {Path}: {Reason}; it is kept in memory")]
    public static partial void CredentialSaveFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Could not read the credential at {Path}: {Reason}")]
    public static partial void CredentialLoadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning, Message = "Credential lock stayed taken; saved the new login to {Path} without it")]
    public static partial void LoginSavedWithoutLock(ILogger logger, string path);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning, Message = "Account {Account}: no credential at {Path}; a login is required")]
    public static partial void NoCredential(ILogger logger, string account, string path);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Information, Message = "Account {Account}: loaded token {TokenHint} (expires {ExpiresAt:O})")]
    public static partial void CredentialLoaded(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Information, Message = "Account {Account}: refreshing token {TokenHint} ({Reason})")]
    public static partial void RefreshStarted(ILogger logger, string account, string reason, string tokenHint);

    [LoggerMessage(EventId = 3033, Level = LogLevel.Information, Message = "Account {Account}: refreshed, new token {TokenHint} expires {ExpiresAt:O}")]
    public static partial void Refreshed(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3034, Level = LogLevel.Information, Message = "Account {Account}: another process already refreshed; using its token {TokenHint} (expires {ExpiresAt:O})")]
    public static partial void AdoptedFromStore(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3035, Level = LogLevel.Warning, Message = "Account {Account}: refresh failed ({Failures} in a row): {Reason}; next try in {RetrySeconds} s (-1: on demand)")]
    public static partial void RefreshFailed(ILogger logger, string account, int failures, string reason, double retrySeconds);

    [LoggerMessage(EventId = 3036, Level = LogLevel.Error, Message = "Account {Account}: credential is dead ({Reason}); a new login is required")]
    public static partial void CredentialDead(ILogger logger, string account, string reason);

    [LoggerMessage(EventId = 3037, Level = LogLevel.Information, Message = "Account {Account}: credential changed in the store; now token {TokenHint} (expires {ExpiresAt:O})")]
    public static partial void CredentialChanged(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3038, Level = LogLevel.Information, Message = "Account {Account}: revived by a new login, token {TokenHint} (expires {ExpiresAt:O})")]
    public static partial void Revived(ILogger logger, string account, string tokenHint, DateTimeOffset expiresAt);
}
