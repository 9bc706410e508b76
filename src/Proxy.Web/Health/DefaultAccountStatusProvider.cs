using Proxy.Web.Configuration;

namespace Proxy.Web.Health;

/// <summary>Used until a token manager registers its own provider.</summary>
internal sealed class DefaultAccountStatusProvider(ProxyOptions options) : IAccountStatusProvider
{
    public IReadOnlyList<AccountStatus> GetAccounts() => options.UpstreamMode == UpstreamMode.ApiKey
        ? [new AccountStatus("upstream", "api_key", null)]
        : [new AccountStatus("default", "unknown", null, "no credential source is running")];
}
