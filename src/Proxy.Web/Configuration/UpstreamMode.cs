namespace Proxy.Web.Configuration;

/// <summary>Which kind of upstream the proxy talks to.</summary>
public enum UpstreamMode
{
    /// <summary>Qwen's API with an OAuth device-login credential.</summary>
    QwenOAuth,

    /// <summary>One OpenAI-compatible upstream reached with an API key (<c>UPSTREAM_BASE_URL</c>).</summary>
    ApiKey,
}
