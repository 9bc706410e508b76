namespace Proxy.Web.Logging;

/// <summary>
/// Gives every request an id (the client's <c>X-Request-ID</c> when sane), returns it on the
/// response, uses it as <see cref="HttpContext.TraceIdentifier"/> and puts it on every log line.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var id = RequestId.FromHeader(context.Request.Headers[RequestId.HeaderName]);
        context.TraceIdentifier = id;
        context.Response.Headers[RequestId.HeaderName] = id;
        context.Response.OnStarting(static state =>
        {
            var ctx = (HttpContext)state;
            ctx.Response.Headers[RequestId.HeaderName] = ctx.TraceIdentifier;
            return Task.CompletedTask;
        }, context);

        // Serilog's log context carries it to lines written straight to Serilog (the request line);
        // the scope, to any other logging provider.
        using (Serilog.Context.LogContext.PushProperty(RequestIdScope.PropertyName, id))
        using (logger.BeginScope(new RequestIdScope(id)))
        {
            await next(context);
        }
    }
}
