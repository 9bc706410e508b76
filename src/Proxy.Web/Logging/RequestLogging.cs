using Serilog.AspNetCore;

namespace Proxy.Web.Logging;

/// <summary>
/// Serilog's request logging as the proxy writes it: one line per request, after the response,
/// with the request id (from the log context), method and path (never the query) and what
/// <see cref="RequestLogMiddleware"/> measured.
/// </summary>
internal static class RequestLogging
{
    public const string MessageTemplate =
        "{RequestMethod} {RequestPath} {Status} {DurationMs} ms client={ClientIp} req={RequestBytes}B resp={ResponseBytes}B streaming={Streaming} ttft={TimeToFirstTokenMs} ms ua=\"{UserAgent}\"";

    public static void Configure(RequestLoggingOptions options, Serilog.ILogger logger)
    {
        // The line's source is Serilog.AspNetCore.RequestLoggingMiddleware, as Serilog names it.
        options.Logger = logger;
        options.MessageTemplate = MessageTemplate;
        options.IncludeQueryInRequestPath = false;
        options.GetLevel = (context, _, exception) => RequestLogMiddleware.Level(context, exception);
    }
}
