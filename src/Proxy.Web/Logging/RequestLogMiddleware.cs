using Microsoft.AspNetCore.Http.Features;
using Proxy.Web.Errors;
using Proxy.Web.Metrics;
using Proxy.Web.Security;

namespace Proxy.Web.Logging;

/// <summary>
/// One log line and one set of metrics per request: client IP, method, path (never the query),
/// user agent, request and response sizes, streaming, status (499 when the client left),
/// duration and time to first token (from <see cref="IRequestLogFeature"/>).
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, TimeProvider time, ProxyMetrics metrics, ILogger<RequestLogMiddleware> logger)
{
    private const int MaxUserAgentLength = 200;

    public async Task InvokeAsync(HttpContext context)
    {
        var start = time.GetTimestamp();
        var feature = new RequestLogFeature(time, start);
        context.Features.Set<IRequestLogFeature>(feature);

        var request = context.Request;
        CountingReadStream? requestCounter = null;
        if (request.ContentLength is null && RequestBodyGuardMiddleware.HasBody(context))
        {
            requestCounter = new CountingReadStream(request.Body);
            request.Body = requestCounter;
        }

        var responseBody = context.Features.Get<IHttpResponseBodyFeature>();
        CountingResponseBodyFeature? responseCounter = null;
        if (responseBody is not null)
        {
            responseCounter = new CountingResponseBodyFeature(responseBody);
            context.Features.Set<IHttpResponseBodyFeature>(responseCounter);
        }

        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            var elapsed = time.GetElapsedTime(start);
            var status = context.RequestAborted.IsCancellationRequested
                ? FailureResponses.ClientClosedRequest
                : failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RecordRequest(route, request.Method, status, elapsed);
            var ttft = feature.TimeToFirstToken;
            if (ttft is { } firstToken)
            {
                metrics.RecordTimeToFirstToken(route, firstToken);
            }

            Write(context, status, elapsed, ttft, requestCounter?.BytesRead ?? request.ContentLength ?? 0, responseCounter?.BytesWritten ?? 0, feature.IsStreaming);
        }
    }

    private void Write(HttpContext context, int status, TimeSpan elapsed, TimeSpan? ttft, long requestBytes, long responseBytes, bool streaming)
    {
        var request = context.Request;
        var quiet = status < 400 && PublicPaths.SkipsRateLimit(request.Path);
        var level = status >= 500 ? LogLevel.Warning : quiet ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var userAgent = request.Headers.UserAgent.ToString();
        if (userAgent.Length > MaxUserAgentLength)
        {
            userAgent = userAgent[..MaxUserAgentLength];
        }

        var clientIp = context.Connection.RemoteIpAddress?.ToString() ?? "-";
        var durationMs = Math.Round(elapsed.TotalMilliseconds, 1);
        double? ttftMs = ttft is { } t ? Math.Round(t.TotalMilliseconds, 1) : null;
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        switch (level)
        {
            case LogLevel.Warning:
                ProxyLog.RequestFailed(logger, request.Method, path, status, durationMs, clientIp, requestBytes, responseBytes, streaming, ttftMs, userAgent);
                break;
            case LogLevel.Debug:
                ProxyLog.RequestQuiet(logger, request.Method, path, status, durationMs, clientIp, requestBytes, responseBytes, streaming, ttftMs, userAgent);
                break;
            default:
                ProxyLog.Request(logger, request.Method, path, status, durationMs, clientIp, requestBytes, responseBytes, streaming, ttftMs, userAgent);
                break;
        }
    }
}
