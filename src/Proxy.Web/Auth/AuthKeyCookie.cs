using Proxy.Web.Security;

namespace Proxy.Web.Auth;

/// <summary>
/// The cookie that lets a browser through the client-key check on <c>/auth*</c> only: set by the
/// key form (<c>POST /auth/key</c>) to <see cref="ClientKeys.AuthCookieValue"/> of the key,
/// <c>HttpOnly</c> (no script reads it), <c>SameSite=Strict</c> (no other site's page sends it),
/// path <c>/auth</c> (no API call carries it), <c>Secure</c> when served over TLS.
/// </summary>
internal static class AuthKeyCookie
{
    public const string Name = "qwen_proxy_auth";

    public const string Path = "/auth";

    public static void Set(HttpContext context, string key) =>
        context.Response.Cookies.Append(Name, ClientKeys.AuthCookieValue(key), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = Path,
            IsEssential = true,
        });

    /// <summary>The identity the request's cookie stands for, when the request is for <c>/auth*</c>.</summary>
    public static ClientIdentity? Verify(HttpContext context, ClientKeys keys) =>
        context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase)
        && context.Request.Cookies.TryGetValue(Name, out var value)
            ? keys.VerifyAuthCookie(value)
            : null;
}
