using Proxy.Web.Auth;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Logging;

namespace Proxy.Web.Security;

/// <summary>
/// Requires one of PROXY_API_KEYS (when any are configured) as <c>Authorization: Bearer</c> or
/// <c>x-api-key</c>; answers 401 <c>authentication_error</c> otherwise. On <c>/auth*</c> the login
/// page's cookie (<see cref="AuthKeyCookie"/>) stands for the key, and a browser asking for the page
/// without one gets a form for the key instead of JSON. A valid key becomes the request's
/// <see cref="ClientIdentity"/> (used for rate limiting).
/// </summary>
internal sealed class ClientKeyMiddleware(RequestDelegate next, ClientKeys keys, ProxyOptions options, ILogger<ClientKeyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!keys.Required)
        {
            // No key is configured: none can match, so nothing is hashed and no identity is set.
            await next(context);
            return;
        }

        var presented = ClientKeys.Presented(context.Request);
        var identity = presented is null ? AuthKeyCookie.Verify(context, keys) : keys.Verify(presented);
        if (identity is not null)
        {
            context.Features.Set(identity);
        }

        if (identity is not null || HttpMethods.IsOptions(context.Request.Method) || PublicPaths.SkipsClientKey(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (options.UpstreamMode == UpstreamMode.QwenOAuth && AuthEndpoints.IsBrowserPage(context.Request))
        {
            // A person at a browser cannot send a header: the login page first asks for the key.
            await AuthEndpoints.WriteKeyFormAsync(context, presented is null ? null : "Invalid API key.");
            return;
        }

        ProxyLog.ClientKeyRejected(logger, presented is null ? "none" : Secrets.Mask(presented));
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var message = presented is null
            ? "Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header."
            : "Invalid API key.";
        await OpenAiError.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorTypes.Authentication, message, "invalid_api_key");
    }
}
