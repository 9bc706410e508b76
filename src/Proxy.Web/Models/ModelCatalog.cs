using Proxy.Web.Configuration;

namespace Proxy.Web.Models;

/// <summary>
/// The models this proxy serves (Qwen has no usable models endpoint): the known Qwen models, the
/// DEFAULT_MODEL, every MODEL_ALIASES name, and the accounts file's models and aliases. An API-key
/// upstream's own list, when it has one, takes the place of the built-in models (<see cref="WithUpstream"/>); the aliases stay.
/// </summary>
internal sealed class ModelCatalog
{
    /// <summary>Unix time put in every entry's <c>created</c> (2025-07-22, the qwen3-coder release).</summary>
    public const long Created = 1753142400;

    public static readonly IReadOnlyList<ModelInfo> QwenModels =
    [
        new("qwen3-coder-plus", "qwen", 1_048_576),
        new("qwen3-coder-flash", "qwen", 262_144),
        new("coder-model", "qwen", null),
        new("vision-model", "qwen", null),
    ];

    private readonly Dictionary<string, ModelInfo> _byId = new(StringComparer.OrdinalIgnoreCase);

    private readonly ProxyOptions _options;

    public ModelCatalog(ProxyOptions options)
    {
        _options = options;
        var models = new List<ModelInfo>(QwenModels);
        if (!QwenModels.Any(m => string.Equals(m.Id, options.DefaultModel, StringComparison.OrdinalIgnoreCase)))
        {
            models.Add(new ModelInfo(options.DefaultModel, options.UpstreamMode == UpstreamMode.ApiKey ? "upstream" : "qwen", null));
        }

        Models = AddAccountModels(AddAliases(models, options), options);
        foreach (var model in Models)
        {
            _byId[model.Id] = model;
        }
    }

    public IReadOnlyList<ModelInfo> Models { get; }

    public ModelInfo? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The upstream's models with the configured aliases added (an alias replaces a model of its name).</summary>
    public IReadOnlyList<ModelInfo> WithUpstream(IReadOnlyList<ModelInfo> upstream) => AddAliases(new List<ModelInfo>(upstream), _options);

    private static List<ModelInfo> AddAliases(List<ModelInfo> models, ProxyOptions options)
    {
        foreach (var (alias, target) in options.ModelAliases.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
        {
            var context = models.Find(m => string.Equals(m.Id, target, StringComparison.OrdinalIgnoreCase))?.ContextLength;
            models.RemoveAll(m => string.Equals(m.Id, alias, StringComparison.OrdinalIgnoreCase));
            models.Add(new ModelInfo(alias, "qwen-proxy", context, target));
        }

        return models;
    }

    /// <summary>The accounts file's allow lists and per-account aliases (a MODEL_ALIASES name wins).</summary>
    private static List<ModelInfo> AddAccountModels(List<ModelInfo> models, ProxyOptions options)
    {
        foreach (var account in options.AccountsFromFile?.Accounts ?? [])
        {
            foreach (var model in account.Models.Order(StringComparer.OrdinalIgnoreCase))
            {
                if (!models.Exists(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase)))
                {
                    models.Add(new ModelInfo(model, "upstream", null));
                }
            }

            foreach (var (alias, target) in account.Aliases.OrderBy(a => a.Key, StringComparer.OrdinalIgnoreCase))
            {
                if (!models.Exists(m => string.Equals(m.Id, alias, StringComparison.OrdinalIgnoreCase)))
                {
                    var context = models.Find(m => string.Equals(m.Id, target, StringComparison.OrdinalIgnoreCase))?.ContextLength;
                    models.Add(new ModelInfo(alias, "qwen-proxy", context, target));
                }
            }
        }

        return models;
    }
}
