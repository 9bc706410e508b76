namespace Proxy.Web.Protocols.Responses;

/// <summary>A Responses request translated to a chat completions request.</summary>
/// <param name="ChatBody">The chat completions body to send upstream.</param>
/// <param name="Stream">Whether the client asked for a stream.</param>
/// <param name="Echo">What the Response object repeats of the request.</param>
internal sealed record ResponsesRequest(byte[] ChatBody, bool Stream, ResponsesEcho Echo);
