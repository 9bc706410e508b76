namespace Proxy.Web.Accounts;

/// <summary>The pool's log lines (never a key: at most its masked hint and where it came from).</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Upstream accounts: {Pool}")]
    public static partial void Pool(ILogger logger, string pool);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Error, Message = "Account {Account} is dead (invalid_api_key): the upstream rejected its key {KeyHint} from {KeySource}; it takes no requests until its key is replaced in the accounts file (read again when it changes) or the proxy restarts")]
    public static partial void Dead(ILogger logger, string account, string keyHint, string keySource);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Account {Account} cools down until {Until:O} after {Kind}")]
    public static partial void CoolingDown(ILogger logger, string account, DateTimeOffset until, string kind);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Account {Account} is back: a trial request succeeded before its cooldown ended")]
    public static partial void TrialSucceeded(ILogger logger, string account);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Warning, Message = "Account {Account}'s dead mark could not be shared with the other instances ({Error}); they find out on their own first rejection")]
    public static partial void DeadMarkNotShared(ILogger logger, string account, string error);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Request moves from account {From} to {To} after {Kind} before its first byte")]
    public static partial void FailedOver(ILogger logger, string from, string to, string kind);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Account {Account} takes its new key {KeyHint} from {KeySource}{Revived}")]
    public static partial void KeyReplaced(ILogger logger, string account, string keyHint, string keySource, string revived);

    [LoggerMessage(EventId = 1407, Level = LogLevel.Warning, Message = "The accounts file changed in ways that apply at the next start, not now: {Changes}")]
    public static partial void ReloadNeedsRestart(ILogger logger, string changes);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Error, Message = "The accounts file was read again and refused; the accounts stay as they were: {Error}")]
    public static partial void ReloadRefused(ILogger logger, string error);
}
