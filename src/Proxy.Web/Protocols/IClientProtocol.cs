using Proxy.Actors.Streaming;
using Proxy.Web.Requests;

namespace Proxy.Web.Protocols;

/// <summary>
/// How answers go back to a client that does not speak chat completions (legacy completions,
/// the Responses API, Anthropic Messages) when its request was translated to a chat request.
/// One instance per request: it may carry what the request said (the model asked for, tool names).
/// Pure code: bytes in, bytes out, no I/O.
/// </summary>
internal interface IClientProtocol
{
    /// <summary>The translator of this request's stream, a new one per stream.</summary>
    IStreamTranslator CreateStreamTranslator();

    /// <summary>A whole <c>chat.completion</c> answer in this protocol's shape.</summary>
    byte[] TranslateCompletion(ReadOnlySpan<byte> chatCompletion);
}
