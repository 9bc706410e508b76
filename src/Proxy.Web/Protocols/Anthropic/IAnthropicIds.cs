namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// Where the ids of translated answers come from: random in production, counted in tests so
/// golden files are exact.
/// </summary>
internal interface IAnthropicIds
{
    /// <summary>A message id, <c>msg_…</c>.</summary>
    string NewMessageId();

    /// <summary>A tool use id, <c>toolu_…</c>, for a tool call the upstream sent without one.</summary>
    string NewToolUseId();
}
