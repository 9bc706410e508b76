using Proxy.Web.Configuration;

namespace Proxy.Web.Health;

/// <summary>
/// Used until a token manager registers its own probe: an API-key upstream is ready; Qwen OAuth is
/// not, because nothing here can vouch for the credential.
/// </summary>
internal sealed class DefaultReadinessProbe(ProxyOptions options) : IReadinessProbe
{
    public ReadinessReport Check() => options.UpstreamMode == UpstreamMode.ApiKey
        ? new ReadinessReport(true, $"api-key upstream {options.UpstreamBaseUrl?.Host}")
        : new ReadinessReport(false, "no credential source is running for the Qwen OAuth upstream");
}
