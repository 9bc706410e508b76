using System.Buffers;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>
/// Turns the repaired chat stream into another protocol's stream (legacy <c>text_completion</c>
/// chunks, Responses events, Anthropic Messages events). Each call writes zero or more
/// <em>complete</em> server-sent events (<c>event:</c>/<c>data:</c> lines and the blank line) to
/// the output. Called on the stream actor only, one call at a time; an instance serves one stream
/// and may keep state (open items, indexes, sequence numbers).
/// Without a translator the stream actor frames each chunk as <c>data: …</c> itself.
/// </summary>
public interface IStreamTranslator
{
    /// <summary>One <c>chat.completion.chunk</c> payload (after the stutter repair).</summary>
    void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output);

    /// <summary>The upstream ended the stream well: the protocol's closing events.</summary>
    void WriteDone(IBufferWriter<byte> output);

    /// <summary>The stream failed after it started: the protocol's error events.</summary>
    void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output);
}
