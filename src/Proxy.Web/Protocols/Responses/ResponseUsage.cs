namespace Proxy.Web.Protocols.Responses;

/// <summary>A chat answer's <c>usage</c> in the Responses API's terms.</summary>
internal struct ResponseUsage
{
    /// <summary>True once the upstream reported usage.</summary>
    public bool Present;

    /// <summary><c>prompt_tokens</c>.</summary>
    public long InputTokens;

    /// <summary><c>prompt_tokens_details.cached_tokens</c>.</summary>
    public long CachedTokens;

    /// <summary><c>completion_tokens</c>.</summary>
    public long OutputTokens;

    /// <summary><c>completion_tokens_details.reasoning_tokens</c>.</summary>
    public long ReasoningTokens;

    /// <summary><c>total_tokens</c>.</summary>
    public long TotalTokens;
}
