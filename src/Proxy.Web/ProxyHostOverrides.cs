namespace Proxy.Web;

/// <summary>What tests may substitute when building the host (production uses none of it).</summary>
internal sealed class ProxyHostOverrides
{
    /// <summary>Replaces the process environment as a configuration source.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Replaces <c>appsettings.json</c> next to the binary.</summary>
    public string? AppSettingsPath { get; init; }

    /// <summary>Receives the log output instead of the console.</summary>
    public TextWriter? LogOutput { get; init; }
}
