using Microsoft.AspNetCore.Cors.Infrastructure;
using Proxy.Web.Configuration;

namespace Proxy.Web.Security;

/// <summary>CORS_ORIGINS: the only origins a browser may call from (none by default).</summary>
internal static class CorsSetup
{
    public static void Configure(CorsPolicyBuilder policy, ProxyOptions options)
    {
        if (options.CorsOrigins.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(options.CorsOrigins.ToArray());
        }

        policy.AllowAnyHeader()
            .WithMethods("GET", "POST")
            .WithExposedHeaders("X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }
}
