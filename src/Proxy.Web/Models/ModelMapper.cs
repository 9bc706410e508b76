using Proxy.Web.Configuration;

namespace Proxy.Web.Models;

/// <summary>
/// Which model a request goes upstream with: MODEL_ALIASES first; then, for the Qwen OAuth
/// upstream, an unknown model becomes DEFAULT_MODEL; for an API-key upstream the client's model
/// passes as sent. A request without a model gets DEFAULT_MODEL.
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

        if (options.UpstreamMode == UpstreamMode.ApiKey)
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
