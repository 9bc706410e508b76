using Microsoft.AspNetCore.Http.Features;
using Proxy.Web.Errors;
using Proxy.Web.Metrics;
using Proxy.Web.Security;
using Serilog;

namespace Proxy.Web.Logging;

/// <summary>
/// What the request's one log line (written by Serilog's request logging, see
/// <see cref="RequestLogging"/>) and its metrics need beyond what ASP.NET Core knows: request and
/// response sizes, streaming, status (499 when the client left), duration and time to first token
/// on the injected clock (from <see cref="IRequestLogFeature"/>), client IP and user agent.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, TimeProvider time, ProxyMetrics metrics, IDiagnosticContext diagnostics, Serilog.ILogger requestLog)
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
            feature.Status = status;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RecordRequest(route, request.Method, status, elapsed);
            var ttft = feature.TimeToFirstToken;
            if (ttft is { } firstToken)
            {
                metrics.RecordTimeToFirstToken(route, firstToken);
            }

            // The line's properties cost a dictionary and a dozen objects: only for a line that is written.
            if (requestLog.IsEnabled(failed ? Serilog.Events.LogEventLevel.Warning : Level(context, null)))
            {
                Describe(context, status, elapsed, ttft, requestCounter?.BytesRead ?? request.ContentLength ?? 0, responseCounter?.BytesWritten ?? 0, feature.IsStreaming);
            }
        }
    }

    /// <summary>The log line's level: warning for server errors, debug for quiet probes, else information.</summary>
    public static Serilog.Events.LogEventLevel Level(HttpContext context, Exception? exception)
    {
        var status = context.Features.Get<IRequestLogFeature>() is RequestLogFeature { Status: > 0 } feature ? feature.Status : context.Response.StatusCode;
        if (exception is not null || status >= 500)
        {
            return Serilog.Events.LogEventLevel.Warning;
        }

        return status < 400 && PublicPaths.SkipsRateLimit(context.Request.Path)
            ? Serilog.Events.LogEventLevel.Debug
            : Serilog.Events.LogEventLevel.Information;
    }

    private void Describe(HttpContext context, int status, TimeSpan elapsed, TimeSpan? ttft, long requestBytes, long responseBytes, bool streaming)
    {
        var userAgent = context.Request.Headers.UserAgent.ToString();
        if (userAgent.Length > MaxUserAgentLength)
        {
            userAgent = userAgent[..MaxUserAgentLength];
        }

        diagnostics.Set("Status", status);
        diagnostics.Set("DurationMs", Math.Round(elapsed.TotalMilliseconds, 1));
        diagnostics.Set("ClientIp", context.Connection.RemoteIpAddress?.ToString() ?? "-");
        diagnostics.Set("RequestBytes", requestBytes);
        diagnostics.Set("ResponseBytes", responseBytes);
        diagnostics.Set("Streaming", streaming);
        diagnostics.Set("TimeToFirstTokenMs", ttft is { } t ? Math.Round(t.TotalMilliseconds, 1) : null);
        diagnostics.Set("UserAgent", userAgent);
    }
}
