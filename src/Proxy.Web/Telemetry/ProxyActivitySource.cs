using System.Diagnostics;

namespace Proxy.Web.Telemetry;

/// <summary>The proxy's own <see cref="ActivitySource"/>: one GenAI span per completion request.</summary>
internal static class ProxyActivitySource
{
    public const string Name = "Qwen.Proxy";

    public static ActivitySource Instance { get; } = new(Name, Hosting.ProxyInfo.Version);
}
