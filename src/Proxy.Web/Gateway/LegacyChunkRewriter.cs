using System.Buffers;
using Proxy.Actors.Streaming;
using Proxy.Web.Legacy;

namespace Proxy.Web.Gateway;

/// <summary>Turns each <c>chat.completion.chunk</c> into a <c>text_completion</c> chunk for <c>/v1/completions</c>.</summary>
internal sealed class LegacyChunkRewriter : IStreamEventRewriter
{
    public static readonly LegacyChunkRewriter Instance = new();

    public bool TryRewrite(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        output.Write(LegacyCompletions.ToTextCompletionChunk(payload));
        return true;
    }
}
