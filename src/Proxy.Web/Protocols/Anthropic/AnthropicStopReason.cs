namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// A chat <c>finish_reason</c> as an Anthropic <c>stop_reason</c>: <c>stop</c> is <c>end_turn</c>,
/// <c>length</c> is <c>max_tokens</c>, <c>tool_calls</c> (and the older <c>function_call</c>) is
/// <c>tool_use</c>, <c>content_filter</c> is <c>refusal</c>; an answer that ended without a reason is
/// <c>end_turn</c>, or <c>tool_use</c> when it holds tool calls. Chat completions does not say which
/// stop sequence matched, so <c>stop_sequence</c> is never reported and <c>stop_sequence</c> stays null.
/// </summary>
internal static class AnthropicStopReason
{
    public static ReadOnlySpan<byte> FromFinishReason(ReadOnlySpan<byte> finishReason, bool hadToolCalls)
    {
        if (finishReason.SequenceEqual("length"u8))
        {
            return "max_tokens"u8;
        }

        if (finishReason.SequenceEqual("tool_calls"u8) || finishReason.SequenceEqual("function_call"u8) || hadToolCalls)
        {
            return "tool_use"u8;
        }

        if (finishReason.SequenceEqual("content_filter"u8))
        {
            return "refusal"u8;
        }

        return "end_turn"u8;
    }
}
