namespace Proxy.Web.Telemetry;

/// <summary>One finished GenAI client operation, as the <c>gen_ai.client.*</c> metrics record it.</summary>
internal readonly record struct GenAiOperation(
    string Operation,
    string Provider,
    string RequestModel,
    string? ResponseModel,
    TimeSpan Duration,
    string? ErrorType,
    long? InputTokens,
    long? OutputTokens,
    TimeSpan? TimeToFirstChunk);
