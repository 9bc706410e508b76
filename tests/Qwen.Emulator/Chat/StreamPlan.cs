namespace Qwen.Emulator.Chat;

/// <summary>
/// The bytes of one scenario's answer, minus what changes per request (id, created, model, usage).
/// Each event is the JSON after <c>"choices":</c>, ending with the chunk's closing brace.
/// </summary>
internal sealed class StreamPlan(byte[][] events, byte[] messageChoices, int completionTokens)
{
    /// <summary>Stream events, e.g. <c>[{"index":0,"delta":{"content":"abc"},"finish_reason":null}]}</c>.</summary>
    public byte[][] Events { get; } = events;

    /// <summary>The non-streaming <c>choices</c> array.</summary>
    public byte[] MessageChoices { get; } = messageChoices;

    public int CompletionTokens { get; } = completionTokens;
}
