using Proxy.Web.Configuration;
using Proxy.Web.Metrics;
using Proxy.Web.Requests;

namespace Proxy.Web.Telemetry;

/// <summary>
/// Starts a <see cref="GenAiCall"/> for each completion request. The provider is <c>qwen</c> for
/// Qwen's own API (OAuth), else the API-key upstream's host (DashScope, OpenRouter, ...).
/// </summary>
internal sealed class GenAiCalls(ProxyOptions options, ProxyMetrics metrics, TimeProvider time)
{
    public const string QwenProvider = "qwen";

    public string Provider { get; } = options.UpstreamBaseUrl is { } upstream ? upstream.Host : QwenProvider;

    public GenAiCall Start(CompletionApi api, string requestModel, bool streaming) => GenAiCall.Start(
        metrics,
        time,
        api == CompletionApi.LegacyCompletions ? GenAiAttributes.TextCompletion : GenAiAttributes.Chat,
        Provider,
        requestModel,
        streaming);
}
