using System.Buffers;

namespace Proxy.Actors.Streaming;

/// <summary>
/// An optional last transform of each outgoing data payload (after the repair), e.g. the legacy
/// <c>text_completion</c> shape. Called on the stream actor only, one payload at a time.
/// </summary>
public interface IStreamEventRewriter
{
    /// <summary>
    /// Writes the payload to send for <paramref name="payload"/> (a <c>chat.completion.chunk</c>)
    /// to <paramref name="output"/>. Returns false to drop the event (nothing written is sent).
    /// </summary>
    bool TryRewrite(ReadOnlySpan<byte> payload, IBufferWriter<byte> output);
}
