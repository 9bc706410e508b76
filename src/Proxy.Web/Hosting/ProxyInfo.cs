using System.Reflection;

namespace Proxy.Web.Hosting;

/// <summary>The proxy's name and version, as <c>GET /</c> and the health endpoints report them.</summary>
internal static class ProxyInfo
{
    public const string Name = "qwen-proxy";

    public static string Version { get; } = ReadVersion();

    private static string ReadVersion()
    {
        var assembly = typeof(ProxyInfo).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }
}
