namespace Proxy.Web.Telemetry;

/// <summary>
/// Attribute names of the OpenTelemetry GenAI semantic conventions (client inference spans and
/// metrics), and the proxy's own attributes beside them.
/// </summary>
internal static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string TokenType = "gen_ai.token.type";
    public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";

    /// <summary>Operation names: chat completions, and the legacy completions API.</summary>
    public const string Chat = "chat";
    public const string TextCompletion = "text_completion";

    public const string InputTokenType = "input";
    public const string OutputTokenType = "output";

    /// <summary>The event recorded on the span when the first token reached the client.</summary>
    public const string FirstTokenEvent = "gen_ai.first_token";

    /// <summary>The upstream account that served the request.</summary>
    public const string Account = "qwen_proxy.account";

    /// <summary>How many stuttering (cumulative) events the repair turned back into deltas.</summary>
    public const string StutterRepairs = "qwen_proxy.stutter_repairs";

    /// <summary>Whether the answer was streamed.</summary>
    public const string Streaming = "qwen_proxy.streaming";
}
