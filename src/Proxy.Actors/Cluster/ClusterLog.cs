using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Cluster;

/// <summary>
/// Every log line of cluster mode, with its event id (3100-3199). Tokens appear only as their
/// last four characters; the connection string never appears (only host, port and database).
/// </summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Cluster database {Location} ready at schema version {Current} (found {Found})")]
    public static partial void SchemaReady(ILogger logger, string location, int found, int current);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Cluster schema migrated to version {Version}")]
    public static partial void SchemaMigrated(ILogger logger, int version);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Cluster schema is at version {Found}, newer than this build's {Current}; leaving it as it is")]
    public static partial void SchemaNewer(ILogger logger, int found, int current);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Cluster database {Location} unreachable at start ({Error}: {Reason}); serving no credential until it answers")]
    public static partial void StartUnavailable(ILogger logger, string location, string error, string reason);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Listening for cluster changes (backend {ProcessId}, connection {Count})")]
    public static partial void ListenerConnected(ILogger logger, int processId, long count);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Lost the cluster listener connection ({Error}: {Reason}); reconnecting in {Delay}")]
    public static partial void ListenerLost(ILogger logger, string error, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "Cluster listener could not connect (attempt {Attempt}, {Error}: {Reason}); retrying in {Delay}")]
    public static partial void ListenerConnectFailed(ILogger logger, int attempt, string error, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Error, Message = "Cluster change handler {Handler} failed ({Error}: {Reason})")]
    public static partial void HandlerFailed(ILogger logger, string handler, string error, string reason);

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Imported credential {TokenHint} (expires {ExpiresAt:O}) from {Path} for account {Account}")]
    public static partial void CredentialImported(ILogger logger, string path, string account, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Credential file {Path} is not a usable credential; nothing imported")]
    public static partial void ImportFileUnreadable(ILogger logger, string path);

    [LoggerMessage(EventId = 3122, Level = LogLevel.Information, Message = "Wrote credential {TokenHint} (expires {ExpiresAt:O}) of account {Account} as version {Version}")]
    public static partial void CredentialWritten(ILogger logger, string account, long version, string tokenHint, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 3123, Level = LogLevel.Information, Message = "Credential of account {Account} changed to {TokenHint} (version {Version}, by {UpdatedBy})")]
    public static partial void CredentialChanged(ILogger logger, string account, long version, string tokenHint, string updatedBy);

    [LoggerMessage(EventId = 3124, Level = LogLevel.Warning, Message = "Cluster database unreachable ({Error}); account {Account} keeps serving its last credential {TokenHint}")]
    public static partial void ServingLastKnown(ILogger logger, string account, string tokenHint, string error);

    [LoggerMessage(EventId = 3125, Level = LogLevel.Warning, Message = "Credential lock of account {Account} stayed held by another instance for {Timeout}")]
    public static partial void RefreshLockTimedOut(ILogger logger, string account, TimeSpan timeout);

    [LoggerMessage(EventId = 3126, Level = LogLevel.Warning, Message = "No refresh of account {Account}: its lock needs the cluster database ({Error}: {Reason})")]
    public static partial void RefreshLockUnavailable(ILogger logger, string account, string error, string reason);

    [LoggerMessage(EventId = 3127, Level = LogLevel.Error, Message = "Refreshed credential {TokenHint} of account {Account} could not be written ({Error}); keeping it and writing it when the database is back")]
    public static partial void RefreshSaveDeferred(ILogger logger, string account, string tokenHint, string error);

    [LoggerMessage(EventId = 3128, Level = LogLevel.Information, Message = "Wrote the kept credential {TokenHint} of account {Account} as version {Version}")]
    public static partial void UnsavedCredentialWritten(ILogger logger, string account, long version, string tokenHint);

    [LoggerMessage(EventId = 3129, Level = LogLevel.Warning, Message = "Dropped the kept credential {TokenHint} of account {Account}: version {Version} was written meanwhile")]
    public static partial void UnsavedCredentialDropped(ILogger logger, string account, string tokenHint, long version);

    [LoggerMessage(EventId = 3130, Level = LogLevel.Warning, Message = "Credential lock of account {Account} stayed taken; writing the new login without it")]
    public static partial void LoginWrittenWithoutLock(ILogger logger, string account);

    [LoggerMessage(EventId = 3140, Level = LogLevel.Information, Message = "Shared the cooldown of account {Account} until {Until:O}")]
    public static partial void CooldownShared(ILogger logger, string account, DateTimeOffset until);

    [LoggerMessage(EventId = 3141, Level = LogLevel.Warning, Message = "Account {Account} cools down until {Until:O} (found by {UpdatedBy})")]
    public static partial void CooldownReceived(ILogger logger, string account, DateTimeOffset until, string updatedBy);

    [LoggerMessage(EventId = 3142, Level = LogLevel.Warning, Message = "Could not read shared cooldowns ({Error}: {Reason}); reading them again on reconnect")]
    public static partial void CooldownSyncFailed(ILogger logger, string error, string reason);
}
