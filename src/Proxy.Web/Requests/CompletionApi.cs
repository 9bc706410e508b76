namespace Proxy.Web.Requests;

/// <summary>Which client API a request came in on (the upstream is always chat completions).</summary>
internal enum CompletionApi
{
    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    Chat,

    /// <summary><c>POST /v1/completions</c>: answers must be translated to <c>text_completion</c>.</summary>
    LegacyCompletions,

    /// <summary><c>POST /v1/responses</c>: translated to chat, or sent as is to a native upstream.</summary>
    Responses,

    /// <summary><c>POST /v1/embeddings</c>: passed through, only the model mapped.</summary>
    Embeddings,

    /// <summary><c>POST /v1/messages</c> on a translated path: answers become Anthropic Messages.</summary>
    AnthropicMessages,
}
