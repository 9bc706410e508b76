namespace Proxy.LoadClient;

/// <summary>The three ways a request reaches the same emulator.</summary>
internal enum PathKind
{
    /// <summary>Straight to the emulator: the limit.</summary>
    Direct,

    /// <summary>Through nginx as a plain streaming reverse proxy (<c>proxy_buffering off</c>).</summary>
    Nginx,

    /// <summary>Through qwen-proxy.</summary>
    Proxy,
}
