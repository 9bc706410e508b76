using Proxy.Web.Logging;

namespace Proxy.Web.Accounts;

/// <summary>
/// One validated upstream account of the pool. <see cref="ApiKey"/> is a secret: <see cref="ToString"/>
/// and every describer show it masked.
/// </summary>
internal sealed record AccountDefinition
{
    /// <summary>Unique in the pool; letters, digits, <c>.</c>, <c>_</c> and <c>-</c> (it is a metric label).</summary>
    public required string Name { get; init; }

    public AccountKind Kind { get; init; } = AccountKind.ApiKey;

    /// <summary>The preset it was built from, if any.</summary>
    public string? Preset { get; init; }

    /// <summary>The chat base URL; null for a Qwen OAuth account that takes it from the credential.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The API key (API-key accounts). Secret.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Where the key came from, for the log: <c>api_key</c> or <c>env:NAME</c>.</summary>
    public string? ApiKeySource { get; init; }

    /// <summary>Share under round-robin and least-in-flight, 1 to 1000.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Models the account may serve (upstream names); empty means any.</summary>
    public IReadOnlySet<string> Models { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Client model name to this account's upstream model name.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra headers sent with every request to this account.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Most requests in flight at once; 0 means no limit.</summary>
    public int MaxConcurrent { get; init; }

    /// <summary>The OpenAI Responses endpoint it serves natively, if any.</summary>
    public Uri? ResponsesUrl { get; init; }

    /// <summary>The Anthropic Messages endpoint it serves natively, if any.</summary>
    public Uri? MessagesUrl { get; init; }

    /// <summary>The embeddings endpoint it serves, if any.</summary>
    public Uri? EmbeddingsUrl { get; init; }

    /// <summary>Whether requests carry Qwen Code's <c>User-Agent</c> and <c>X-DashScope-*</c> headers.</summary>
    public bool QwenHeaders { get; init; }

    /// <summary>The credential folder of a Qwen OAuth account.</summary>
    public string? QwenDir { get; init; }

    /// <summary>
    /// The upstream model for <paramref name="model"/> on this account (its alias, else the name itself),
    /// or null when the account's allow list does not include it.
    /// </summary>
    public string? Serves(string model)
    {
        var upstream = Aliases.TryGetValue(model, out var aliased) ? aliased : model;
        return Models.Count == 0 || Models.Contains(upstream) ? upstream : null;
    }

    /// <summary>Never shows the key.</summary>
    public override string ToString() => Kind == AccountKind.QwenOAuth
        ? $"{Name} (qwen-oauth, {QwenDir}, weight {Weight})"
        : $"{Name} (api-key, {Preset ?? Secrets.MaskUrl(BaseUrl)}, key {Secrets.Mask(ApiKey)}, weight {Weight})";
}
