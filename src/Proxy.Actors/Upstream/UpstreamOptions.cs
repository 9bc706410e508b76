using System.Net;

namespace Proxy.Actors.Upstream;

/// <summary>How the proxy talks to the upstream: connection pool, timeouts, client identity.</summary>
internal sealed record UpstreamOptions
{
    /// <summary>
    /// Most connections per upstream host (MAX_CONNS_PER_HOST): over HTTP/1.1 the most calls in flight
    /// at once, the rest wait for a free connection; over HTTP/2 each connection carries many calls.
    /// </summary>
    public int MaxConnectionsPerServer { get; init; } = int.MaxValue;

    /// <summary>How long an idle pooled connection is kept (IDLE_CONN_TIMEOUT_SECONDS).</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Longest wait for a TCP/TLS connection to open.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for the response headers of a streaming call (READ_TIMEOUT_SECONDS).</summary>
    public TimeSpan StreamHeadersTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Longest wait for the response headers of a non-streaming call, which arrive only once the whole
    /// answer is ready; <see langword="null"/> leaves it to the request deadline.
    /// </summary>
    public TimeSpan? ResponseHeadersTimeout { get; init; }

    /// <summary>The Qwen Code version the client identifies as in User-Agent.</summary>
    public string ClientVersion { get; init; } = "0.1.0";

    /// <summary>HTTP version asked for (UPSTREAM_HTTP_VERSION); see <see cref="VersionPolicy"/>.</summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version20;

    /// <summary>
    /// Whether another version than <see cref="HttpVersion"/> is accepted. The default, HTTP/2 or lower,
    /// gets HTTP/2 from a TLS upstream that offers it and HTTP/1.1 otherwise (plain http included);
    /// HTTP/2 exactly also speaks HTTP/2 to a plain-http upstream (prior knowledge, h2c).
    /// </summary>
    public HttpVersionPolicy VersionPolicy { get; init; } = HttpVersionPolicy.RequestVersionOrLower;

    /// <summary><c>QwenCode/&lt;version&gt; (&lt;platform&gt;; &lt;arch&gt;)</c>, as the Qwen Code CLI sends it.</summary>
    public string UserAgent => $"QwenCode/{ClientVersion} ({QwenHeaders.Platform}; {QwenHeaders.Architecture})";

    /// <summary><c>qwen-proxy/&lt;version&gt;</c>: the User-Agent every upstream other than Qwen's own hosts gets.</summary>
    public string ProxyUserAgent => $"qwen-proxy/{ClientVersion}";

    /// <summary>Validates the values; throws naming the first bad one.</summary>
    public UpstreamOptions Validate()
    {
        Require(MaxConnectionsPerServer > 0, nameof(MaxConnectionsPerServer));
        Require(PooledConnectionIdleTimeout > TimeSpan.Zero, nameof(PooledConnectionIdleTimeout));
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout));
        Require(StreamHeadersTimeout > TimeSpan.Zero, nameof(StreamHeadersTimeout));
        Require(ResponseHeadersTimeout is null || ResponseHeadersTimeout > TimeSpan.Zero, nameof(ResponseHeadersTimeout));
        Require(!string.IsNullOrWhiteSpace(ClientVersion) && !ClientVersion.Any(char.IsWhiteSpace), nameof(ClientVersion));
        return this;

        static void Require(bool ok, string name)
        {
            if (!ok)
            {
                throw new ArgumentException($"Upstream option {name} is out of range.", name);
            }
        }
    }

    /// <summary>A handler configured like a reverse proxy's: no proxy, redirects, decompression or cookies.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        MaxConnectionsPerServer = MaxConnectionsPerServer,
        ConnectTimeout = ConnectTimeout,

        // An abandoned answer (the client left) is cut at once, never drained to save the connection:
        // draining would keep the upstream generating for up to ResponseDrainTimeout.
        MaxResponseDrainSize = 0,
    };
}
