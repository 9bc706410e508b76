using Microsoft.AspNetCore.Http.Features;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;
using Proxy.Web.Logging;
using Proxy.Web.Security;

namespace Proxy.Web.Errors;

/// <summary>
/// The last line of defence: an exception never reaches the client as a bare 500 or a stack trace.
/// Before the response starts it becomes an OpenAI error envelope (400/413 for malformed
/// requests, 503 auth_required for a missing credential, 500 server_error otherwise); after it
/// started, the connection is aborted so a truncated body is never taken for a complete one.
/// A client that went away gets nothing (logged as 499).
/// </summary>
internal sealed class ExceptionHandlingMiddleware(RequestDelegate next, ILogger<ExceptionHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = FailureResponses.ClientClosedRequest;
            }
        }
        catch (Exception ex)
        {
            await HandleAsync(context, ex);
        }
    }

    private async Task HandleAsync(HttpContext context, Exception exception)
    {
        var request = context.Request;
        if (context.Response.HasStarted)
        {
            ProxyLog.UnhandledAfterStart(logger, exception, request.Method, request.Path);
            context.Abort();
            return;
        }

        context.Response.Clear();
        switch (exception)
        {
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge:
                ProxyLog.BadRequest(logger, bad.Message);
                var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
                await RequestBodyGuardMiddleware.TooLargeAsync(context, limit);
                break;
            case BadHttpRequestException bad:
                ProxyLog.BadRequest(logger, bad.Message);
                await OpenAiError.WriteAsync(context, bad.StatusCode, ErrorTypes.InvalidRequest, "Bad request: " + bad.Message, "bad_request");
                break;
            case AuthRequiredException auth:
                await FailureResponses.WriteAsync(context, FailureKind.AuthRequired, auth.Message);
                break;
            default:
                ProxyLog.UnhandledException(logger, exception, request.Method, request.Path);
                await OpenAiError.WriteAsync(
                    context,
                    StatusCodes.Status500InternalServerError,
                    ErrorTypes.Server,
                    $"The proxy failed to handle the request; see its log for request id {context.TraceIdentifier}.",
                    "internal_error");
                break;
        }
    }
}
