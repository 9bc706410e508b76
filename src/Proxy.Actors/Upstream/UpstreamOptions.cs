using System.Net;

namespace Proxy.Actors.Upstream;

/// <summary>How the proxy talks to the upstream: connection pool, timeouts, client identity.</summary>
internal sealed record UpstreamOptions
{
    /// <summary>Most connections per upstream host (HTTP/1.1 concurrency; HTTP/2 opens more when full).</summary>
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

    /// <summary>HTTP version asked for; lower versions are accepted (plain http always uses HTTP/1.1).</summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version20;

    /// <summary><c>QwenCode/&lt;version&gt; (&lt;platform&gt;; &lt;arch&gt;)</c>, as the Qwen Code CLI sends it.</summary>
    public string UserAgent => $"QwenCode/{ClientVersion} ({QwenHeaders.Platform}; {QwenHeaders.Architecture})";

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
