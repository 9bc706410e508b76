namespace Proxy.Web.Logging;

/// <summary>Every log message of the web layer, with its event id, in one place.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Configuration: {Configuration}")]
    public static partial void Configuration(ILogger logger, string configuration);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "qwen-proxy {Version} listening on {Addresses}")]
    public static partial void Listening(ILogger logger, string version, string addresses);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Starting without client keys on a non-loopback address ({Host}) because ALLOW_UNAUTHENTICATED=true")]
    public static partial void Unauthenticated(ILogger logger, string host);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Shutting down: open streams may run for {Timeout} more")]
    public static partial void Draining(ILogger logger, string timeout);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Shutdown deadline reached with {ActiveStreams} stream(s) still open; ending them")]
    public static partial void DrainDeadline(ILogger logger, int activeStreams);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Error, Message = "Unhandled error while serving {Method} {Path}")]
    public static partial void UnhandledException(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Unhandled error after the response started ({Method} {Path}); aborting the connection")]
    public static partial void UnhandledAfterStart(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Bad request: {Reason}")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Rejected a request with a missing or unknown client key (presented {KeyHint})")]
    public static partial void ClientKeyRejected(ILogger logger, string keyHint);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Rate limit exceeded for {Partition}; retry after {RetryAfterSeconds} s")]
    public static partial void RateLimited(ILogger logger, string partition, long retryAfterSeconds);
}
