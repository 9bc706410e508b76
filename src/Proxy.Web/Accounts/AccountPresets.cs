namespace Proxy.Web.Accounts;

/// <summary>
/// The endpoints an account can name by <c>preset</c>: every Alibaba Cloud Model Studio endpoint by
/// plan and region (Coding Plan, Token Plan, standard DashScope) and OpenRouter.
/// </summary>
internal static class AccountPresets
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>Every preset, in the order the README lists them.</summary>
    public static IReadOnlyList<AccountPreset> All { get; } =
    [
        Plan("coding-plan-cn", "https://coding.dashscope.aliyuncs.com"),
        Plan("coding-plan-intl", "https://coding-intl.dashscope.aliyuncs.com"),
        Maas("token-plan-cn-beijing", "https://token-plan.cn-beijing.maas.aliyuncs.com"),
        Maas("token-plan-ap-southeast-1", "https://token-plan.ap-southeast-1.maas.aliyuncs.com"),
        DashScope("dashscope-cn", "https://dashscope.aliyuncs.com", nativeProtocols: true),
        DashScope("dashscope-intl", "https://dashscope-intl.aliyuncs.com", nativeProtocols: true),
        DashScope("dashscope-us", "https://dashscope-us.aliyuncs.com", nativeProtocols: false),
        DashScope("dashscope-cn-hongkong", "https://cn-hongkong.dashscope.aliyuncs.com", nativeProtocols: false),
        new(
            "openrouter",
            new Uri("https://openrouter.ai/api/v1"),
            ResponsesUrl: null,
            MessagesUrl: null,
            EmbeddingsUrl: null,
            QwenHeaders: false,
            new Dictionary<string, string> { ["X-Title"] = "qwen-proxy" }),
    ];

    /// <summary>The preset named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static AccountPreset? Find(string name)
    {
        foreach (var preset in All)
        {
            if (string.Equals(preset.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return preset;
            }
        }

        return null;
    }

    /// <summary>Coding Plan: chat under <c>/v1</c> and Anthropic Messages under <c>/apps/anthropic</c>.</summary>
    private static AccountPreset Plan(string name, string host) => new(
        name,
        new Uri(host + "/v1"),
        ResponsesUrl: null,
        MessagesUrl: new Uri(host + "/apps/anthropic/v1/messages"),
        EmbeddingsUrl: null,
        QwenHeaders: true,
        NoHeaders);

    /// <summary>Token Plan: compatible mode and Anthropic Messages under <c>/apps/anthropic</c>.</summary>
    private static AccountPreset Maas(string name, string host) => new(
        name,
        new Uri(host + "/compatible-mode/v1"),
        ResponsesUrl: null,
        MessagesUrl: new Uri(host + "/apps/anthropic/v1/messages"),
        EmbeddingsUrl: null,
        QwenHeaders: true,
        NoHeaders);

    /// <summary>Standard DashScope keys: compatible mode with embeddings; Beijing and Singapore also serve Responses and Messages.</summary>
    private static AccountPreset DashScope(string name, string host, bool nativeProtocols) => new(
        name,
        new Uri(host + "/compatible-mode/v1"),
        ResponsesUrl: nativeProtocols ? new Uri(host + "/api/v2/apps/protocols/compatible-mode/v1/responses") : null,
        MessagesUrl: nativeProtocols ? new Uri(host + "/apps/anthropic/v1/messages") : null,
        EmbeddingsUrl: new Uri(host + "/compatible-mode/v1/embeddings"),
        QwenHeaders: true,
        NoHeaders);
}
