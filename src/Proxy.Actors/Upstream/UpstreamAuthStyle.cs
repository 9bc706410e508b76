namespace Proxy.Actors.Upstream;

/// <summary>How a call presents the account's token to the upstream.</summary>
public enum UpstreamAuthStyle
{
    /// <summary><c>Authorization: Bearer TOKEN</c> (OpenAI-compatible APIs).</summary>
    Bearer,

    /// <summary><c>x-api-key: TOKEN</c> (Anthropic's Messages API).</summary>
    ApiKeyHeader,
}
