using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Proxy.Web.Configuration;
using Proxy.Web.Security;

namespace Proxy.Web.Hosting;

/// <summary>
/// Kestrel for long streams: READ_TIMEOUT bounds receiving request headers and WRITE_TIMEOUT the
/// idle keep-alive between requests; nothing bounds a response in progress (no minimum response
/// data rate), so a 10-minute stream is never cut by the server.
/// </summary>
internal static class KestrelSetup
{
    public static void Configure(KestrelServerOptions kestrel, ProxyOptions options, X509Certificate2? certificate)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        kestrel.Limits.RequestHeadersTimeout = options.ServerReadTimeout;
        kestrel.Limits.KeepAliveTimeout = options.ServerWriteTimeout;
        kestrel.Limits.MinResponseDataRate = null;

        // Kestrel's own header limits only as a ceiling: the limits clients meet are enforced by
        // HeaderLimitMiddleware, which can answer in the error envelope; Kestrel cannot.
        kestrel.Limits.MaxRequestHeadersTotalSize = HeaderLimitMiddleware.KestrelHeadersCeiling;
        kestrel.Limits.MaxRequestLineSize = HeaderLimitMiddleware.KestrelRequestLineCeiling;
        kestrel.Limits.MaxRequestHeaderCount = HeaderLimitMiddleware.KestrelHeaderCountCeiling;

        var address = string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            ? IPAddress.Loopback
            : IPAddress.Parse(options.Host);
        kestrel.Listen(address, options.Port, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        });
    }
}
