using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace Proxy.EndToEnd.Tests.Support;

/// <summary>The official OpenAI SDK pointed at a <see cref="Gateway"/>, with the SDK's own retries off so counts are exact.</summary>
internal static class OpenAiSdk
{
    public const string Model = "qwen3-coder-plus";

    /// <summary>A key the proxy accepts when started with <see cref="ClientKeys"/>; any key otherwise.</summary>
    public const string ClientKey = "client-key-e2e-0001";

    /// <summary>Environment that makes the proxy demand <see cref="ClientKey"/>.</summary>
    public static IDictionary<string, string?> ClientKeys => new Dictionary<string, string?> { ["PROXY_API_KEYS"] = ClientKey };

    public static OpenAIClientOptions Options(Gateway gateway) => new()
    {
        Endpoint = new Uri(gateway.ProxyBase, "/v1"),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(60),
    };

    public static ChatClient Chat(Gateway gateway, string key = ClientKey) =>
        new(Model, new ApiKeyCredential(key), Options(gateway));

    public static OpenAIModelClient Models(Gateway gateway, string key = ClientKey) =>
        new(new ApiKeyCredential(key), Options(gateway));

    public static IReadOnlyList<ChatMessage> Hello { get; } = [new UserChatMessage("hi")];
}
