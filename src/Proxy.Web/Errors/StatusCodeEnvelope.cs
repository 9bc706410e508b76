namespace Proxy.Web.Errors;

/// <summary>Bodies for status codes the framework sets without one (404 no route, 405 wrong method, ...).</summary>
internal static class StatusCodeEnvelope
{
    public static Task WriteAsync(HttpContext context)
    {
        if (context.RequestAborted.IsCancellationRequested || context.Response.StatusCode == FailureResponses.ClientClosedRequest)
        {
            return Task.CompletedTask;
        }

        var request = context.Request;
        var status = context.Response.StatusCode;
        var (message, code) = status switch
        {
            StatusCodes.Status404NotFound => ($"Unknown path: {request.Method} {request.Path}.", "not_found"),
            StatusCodes.Status405MethodNotAllowed => ($"Method {request.Method} is not allowed for {request.Path}.", "method_not_allowed"),
            _ => ($"The request failed with HTTP {status}.", (string?)null),
        };
        var type = status >= 500 ? ErrorTypes.Server : ErrorTypes.InvalidRequest;
        return OpenAiError.WriteAsync(context, status, type, message, code);
    }
}
