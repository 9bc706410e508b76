namespace Proxy.LoadClient.Load;

/// <summary>The one HTTP client shape every step uses, so the three paths see the same client.</summary>
internal static class HttpClients
{
    public static HttpClient Create(int maxConnections) =>
        new(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            MaxConnectionsPerServer = maxConnections,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            Expect100ContinueTimeout = TimeSpan.Zero,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
