namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// What a Messages request said that the answer needs (the chat request carries the rest).
/// </summary>
/// <param name="Model">The model the client asked for; echoed in every answer. Null when it named none.</param>
/// <param name="Stream"><c>stream</c>.</param>
/// <param name="ShowThinking">
/// False when thinking is off or <c>thinking.display</c> is <c>"omitted"</c>: the upstream's
/// reasoning text is then not sent to the client.
/// </param>
/// <param name="InputTokenEstimate">The local estimate of the prompt's size (see <see cref="AnthropicTokenEstimate"/>).</param>
internal sealed record AnthropicRequest(string? Model, bool Stream, bool ShowThinking, int InputTokenEstimate);
