namespace Proxy.Web.Accounts;

/// <summary>
/// A known upstream endpoint an account can name instead of a <c>base_url</c>: its chat base URL,
/// what else it serves natively, and the headers it expects.
/// </summary>
/// <param name="Name">The preset's name in the accounts file, e.g. <c>coding-plan-intl</c>.</param>
/// <param name="ChatBaseUrl">OpenAI-compatible base; chat completions live at <c>{base}/chat/completions</c>.</param>
/// <param name="ResponsesUrl">The OpenAI Responses endpoint it serves natively, if any.</param>
/// <param name="MessagesUrl">The Anthropic Messages endpoint it serves natively, if any.</param>
/// <param name="EmbeddingsUrl">The embeddings endpoint it serves, if any.</param>
/// <param name="QwenHeaders">True for Qwen's own hosts: they get Qwen Code's <c>User-Agent</c> and <c>X-DashScope-*</c> headers.</param>
/// <param name="Headers">Extra headers every request to it carries.</param>
internal sealed record AccountPreset(
    string Name,
    Uri ChatBaseUrl,
    Uri? ResponsesUrl,
    Uri? MessagesUrl,
    Uri? EmbeddingsUrl,
    bool QwenHeaders,
    IReadOnlyDictionary<string, string> Headers);
