using Proxy.Actors.Streaming;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages on a translated path: chat answers go back as Message objects and
/// Messages events, reporting the model the client asked for.
/// </summary>
internal sealed class AnthropicProtocol(AnthropicRequest request, string model, IAnthropicIds ids) : IClientProtocol
{
    public AnthropicRequest Request => request;

    public IStreamTranslator CreateStreamTranslator() =>
        new AnthropicStreamTranslator(ids, model, request.ShowThinking, request.InputTokenEstimate);

    public byte[] TranslateCompletion(ReadOnlySpan<byte> chatCompletion) =>
        AnthropicMessage.FromChatCompletion(chatCompletion, request, model, ids);
}
