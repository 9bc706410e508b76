using System.Text;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Anthropic;

/// <summary>
/// The emulator's native Messages endpoint read by the official Anthropic SDK, so a native path
/// tested against it meets the shapes a real client accepts.
/// </summary>
public sealed class EmulatorMessagesThroughSdkTests
{
    private const string Key = "sk-emulator-messages-0001";

    private static MessageCreateParams Ask => new()
    {
        Model = "qwen3-coder-plus",
        MaxTokens = 64,
        Messages = [new UserMessageParam { Content = "hi" }],
    };

    private static async Task<(EmulatorHost Host, AnthropicClient Client)> StartAsync(string scenario)
    {
        var options = new EmulatorOptions { Seed = 7, DefaultScenario = scenario };
        options.ApiKeys.Add(Key);
        var host = await EmulatorHost.StartAsync(options);
        var client = new AnthropicClient(new ClientOptions { BaseUrl = host.BaseUrl.ToString().TrimEnd('/'), ApiKey = Key, MaxRetries = 0 });
        return (host, client);
    }

    [Fact]
    public async Task The_sdk_reads_the_emulators_message_with_thinking_text_and_a_tool_use()
    {
        var (host, client) = await StartAsync("chunks=2;reasoning=1;tools=1");
        await using var _ = host;
        var call = EmulatorText.ToolCalls(7, 1)[0];

        var message = await client.Messages.Create(Ask);

        Assert.Equal("msg_emu_1", message.ID);
        Assert.Equal(3, message.Content.Count);
        Assert.True(message.Content[0].TryPickThinking(out var thinking));
        Assert.Equal((EmulatorText.Reasoning(7, 1, 6), "emu_signature"), (thinking.Thinking, thinking.Signature));
        Assert.True(message.Content[1].TryPickText(out var text));
        Assert.Equal(EmulatorText.For(7, 2, 6), text.Text);
        Assert.True(message.Content[2].TryPickToolUse(out var toolUse));
        Assert.Equal(("toolu_" + call.Id[5..], call.Name), (toolUse.ID, toolUse.Name));
        Assert.Equal(StopReason.ToolUse, message.StopReason?.Value());
    }

    [Fact]
    public async Task The_sdk_reads_the_emulators_stream()
    {
        var (host, client) = await StartAsync("chunks=3");
        await using var _ = host;

        var text = new StringBuilder();
        var kinds = new List<string>();
        await foreach (var e in client.Messages.CreateStreaming(Ask))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece))
            {
                text.Append(piece.Text);
            }

            kinds.Add(e.Match(_ => "start", _ => "delta", _ => "stop", _ => "block_start", _ => "block_delta", _ => "block_stop"));
        }

        Assert.Equal(EmulatorText.For(7, 3, 6), text.ToString());
        Assert.Equal(["start", "block_start", "block_delta", "block_delta", "block_delta", "block_stop", "delta", "stop"], kinds);
    }
}
