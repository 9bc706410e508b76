namespace Proxy.Web.Security;

/// <summary>Which paths skip the client key and which skip rate limiting.</summary>
internal static class PublicPaths
{
    /// <summary>
    /// Liveness, readiness, metrics and the banner answer without a client key (probes and
    /// scrapers carry none), and so does the login page's key form, which checks the key itself.
    /// <c>/health/detailed</c> shows account state and needs a key.
    /// </summary>
    public static bool SkipsClientKey(PathString path) =>
        path.Equals("/", StringComparison.Ordinal)
        || path.Equals("/health", StringComparison.OrdinalIgnoreCase)
        || path.Equals("/health/ready", StringComparison.OrdinalIgnoreCase)
        || path.Equals("/metrics", StringComparison.OrdinalIgnoreCase)
        || IsAuthKeyForm(path);

    /// <summary><c>POST /auth/key</c>, where a browser hands over the key (checked there): the one form body the proxy takes.</summary>
    public static bool IsAuthKeyForm(PathString path) => path.Equals("/auth/key", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>/health*</c> and <c>/metrics</c> are never rate limited.</summary>
    public static bool SkipsRateLimit(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.Equals("/metrics", StringComparison.OrdinalIgnoreCase);
}
