using Proxy.Web.Configuration;

namespace Proxy.Web.Security;

/// <summary>
/// Adds <c>X-Content-Type-Options: nosniff</c>, <c>X-Frame-Options: DENY</c>,
/// <c>Referrer-Policy: no-referrer</c> and, when serving TLS, <c>Strict-Transport-Security</c>
/// to every response (also error responses, which clear headers before they start).
/// </summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next, ProxyOptions options)
{
    public const string HstsValue = "max-age=31536000";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (ctx, tls) = ((HttpContext, bool))state;
            var headers = ctx.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (tls && ctx.Request.IsHttps)
            {
                headers.StrictTransportSecurity = HstsValue;
            }

            return Task.CompletedTask;
        }, (context, options.EnableTls));
        return next(context);
    }
}
