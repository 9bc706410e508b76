using Proxy.Web.Protocols.Anthropic;

namespace Proxy.Web.Tests.Protocols.Anthropic;

/// <summary>Ids counted from 1, so golden files are exact.</summary>
internal sealed class CountingIds : IAnthropicIds
{
    private int _messages;
    private int _tools;

    public string NewMessageId() => $"msg_test_{++_messages:D2}";

    public string NewToolUseId() => $"toolu_test_{++_tools:D2}";
}
