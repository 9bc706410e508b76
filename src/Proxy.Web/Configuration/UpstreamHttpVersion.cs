namespace Proxy.Web.Configuration;

/// <summary><c>UPSTREAM_HTTP_VERSION</c>: which HTTP the proxy speaks to the upstream.</summary>
public enum UpstreamHttpVersion
{
    /// <summary><c>auto</c>: HTTP/2 when a TLS upstream offers it, HTTP/1.1 otherwise.</summary>
    Auto,

    /// <summary><c>1.1</c>: always HTTP/1.1, one connection per call in flight.</summary>
    Http11,

    /// <summary><c>2</c>: always HTTP/2, many calls over each connection; on plain http without TLS (h2c).</summary>
    Http2,
}
