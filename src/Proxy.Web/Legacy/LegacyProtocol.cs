using System.Buffers;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Web.Errors;
using Proxy.Web.Protocols;

namespace Proxy.Web.Legacy;

/// <summary><c>/v1/completions</c>: chat answers become <c>text_completion</c> answers and chunks.</summary>
internal sealed class LegacyProtocol : IClientProtocol, IStreamTranslator
{
    public static readonly LegacyProtocol Instance = new();

    // Stateless: one instance serves every request and stream.
    public IStreamTranslator CreateStreamTranslator() => this;

    public byte[] TranslateCompletion(ReadOnlySpan<byte> chatCompletion) => LegacyCompletions.ToTextCompletion(chatCompletion);

    public void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        output.Write("data: "u8);
        output.Write(LegacyCompletions.ToTextCompletionChunk(chunk));
        output.Write("\n\n"u8);
    }

    public void WriteDone(IBufferWriter<byte> output) => output.Write("data: [DONE]\n\n"u8);

    public void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output) =>
        output.Write(OpenAiError.ToSseEvent(message, kind.ToErrorType(), param: null, code));
}
