using Anthropic;
using Anthropic.Core;

namespace Proxy.EndToEnd.Tests.Support;

/// <summary>The official Anthropic SDK pointed at a <see cref="Gateway"/>, with the SDK's own retries off so counts are exact.</summary>
internal static class AnthropicSdk
{
    /// <summary>What a Claude client asks for; a chat upstream gets DEFAULT_MODEL, the answers report this name.</summary>
    public const string Model = "claude-sonnet-4-5";

    public static AnthropicClient Client(Gateway gateway, string key = OpenAiSdk.ClientKey) => new(new ClientOptions
    {
        BaseUrl = gateway.ProxyBase.ToString().TrimEnd('/'),
        ApiKey = key,
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(60),
    });
}
