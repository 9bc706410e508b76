namespace Proxy.LoadClient;

/// <summary>What answers behind every path.</summary>
internal enum UpstreamKind
{
    /// <summary>tests/Qwen.Emulator, the faithful fake of Qwen.</summary>
    Emulator,

    /// <summary>The minimal SSE server built into the load client (<c>stub</c> command).</summary>
    Stub,
}
