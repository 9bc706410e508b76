using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Upstream;

/// <summary>Log events of the upstream client (event ids 2100-2199).</summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(2100, LogLevel.Debug, "Upstream POST {Path} answered {Status} ({Failure}) with token {TokenHint}")]
    public static partial void Answered(ILogger logger, string path, int status, Resilience.FailureKind failure, string tokenHint);

    [LoggerMessage(2101, LogLevel.Information, "Upstream rejected token {TokenHint} with 401; renewing once and retrying")]
    public static partial void Renewing(ILogger logger, string tokenHint);

    [LoggerMessage(2102, LogLevel.Warning, "Upstream rejected the renewed token {TokenHint} with 401 as well")]
    public static partial void RenewedTokenRejected(ILogger logger, string tokenHint);

    [LoggerMessage(2103, LogLevel.Warning, "No usable upstream credential: {Reason}")]
    public static partial void AuthRequired(ILogger logger, string reason);

    [LoggerMessage(2104, LogLevel.Warning, "Upstream POST {Path} failed before answering: {Failure} {Message}")]
    public static partial void SendFailed(ILogger logger, string path, Resilience.FailureKind failure, string? message);
}
