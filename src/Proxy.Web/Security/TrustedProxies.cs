using Microsoft.AspNetCore.HttpOverrides;
using Proxy.Web.Configuration;

namespace Proxy.Web.Security;

/// <summary>
/// TRUSTED_PROXIES: only these peers' <c>X-Forwarded-For</c> is believed (nobody's by default,
/// not even loopback's), walking the chain from the right until an untrusted hop.
/// </summary>
internal static class TrustedProxies
{
    public static ForwardedHeadersOptions ForwardedHeaders(ProxyOptions options)
    {
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor,
            ForwardLimit = null,
            RequireHeaderSymmetry = false,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in options.TrustedProxies)
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        return forwarded;
    }
}
