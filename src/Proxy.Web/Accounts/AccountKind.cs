namespace Proxy.Web.Accounts;

/// <summary>How an account reaches its upstream.</summary>
internal enum AccountKind
{
    /// <summary>An OpenAI-compatible upstream and an API key sent as <c>Authorization: Bearer</c>.</summary>
    ApiKey,

    /// <summary>Qwen's API with the Qwen Code CLI's OAuth credential file.</summary>
    QwenOAuth,
}
