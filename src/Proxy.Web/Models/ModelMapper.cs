using Proxy.Web.Configuration;

namespace Proxy.Web.Models;

/// <summary>
/// Which model a request goes upstream with: MODEL_ALIASES first; then, for the Qwen OAuth
/// upstream alone, an unknown model becomes DEFAULT_MODEL; with an API-key account in the pool (or
/// an account alias of that name) the client's model passes as sent, and the pool's accounts apply
/// their own aliases. A request without a model gets DEFAULT_MODEL.
/// </summary>
internal sealed class ModelMapper(ProxyOptions options)
{
    public string Map(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return options.DefaultModel;
        }

        if (options.ModelAliases.TryGetValue(requested, out var target))
        {
            return target;
        }

        // An API-key account, or an account alias, takes the name as sent.
        if (options.UpstreamMode == UpstreamMode.ApiKey
            || options.Pool.Accounts.Any(a => a.Kind == Accounts.AccountKind.ApiKey || a.Aliases.ContainsKey(requested)))
        {
            return requested;
        }

        var known = ModelCatalog.QwenModels.FirstOrDefault(m => string.Equals(m.Id, requested, StringComparison.OrdinalIgnoreCase));
        if (known is not null)
        {
            return known.Id;
        }

        return options.DefaultModel;
    }
}
