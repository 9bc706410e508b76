using System.Text;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Anthropic;

/// <summary>
/// The official Anthropic SDK against the proxy in front of an upstream that serves Anthropic Messages
/// itself (<c>UPSTREAM_MESSAGES_URL</c>): the client's bytes go on as sent, only the model mapped, with
/// the upstream key as <c>x-api-key</c>, and the upstream's answer comes back as it is.
/// </summary>
public sealed class NativeMessagesTests
{
    private static MessageCreateParams Ask(string text) => new()
    {
        Model = AnthropicSdk.Model,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = text }],
    };

    [Fact]
    public async Task A_message_goes_to_the_native_upstream_with_the_model_mapped_and_the_key_as_x_api_key()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3", OpenAiSdk.ClientKeys, nativeMessages: true);

        var message = await AnthropicSdk.Client(gateway).Messages.Create(Ask("hi"));

        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal("/v1/messages", record.Path);
        Assert.Equal("""{"model":"qwen3-coder-plus","max_tokens":256,"messages":[{"role":"user","content":"hi"}]}""", record.BodyText);
        Assert.Equal(Gateway.UpstreamKey, record.Headers["x-api-key"]);
        Assert.Equal("qwen3-coder-plus", message.Model.Raw());
        Assert.Equal(Qwen.Emulator.EmulatorText.ForScenario("chunks=3", 7), Text(Assert.Single(message.Content)));
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
    }

    [Fact]
    public async Task A_stream_is_copied_event_for_event_from_the_native_upstream()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2", OpenAiSdk.ClientKeys, nativeMessages: true);

        var kinds = new List<string>();
        var text = new StringBuilder();
        await foreach (var e in AnthropicSdk.Client(gateway).Messages.CreateStreaming(Ask("hi")))
        {
            if (e.TryPickStart(out _))
            {
                kinds.Add("message_start");
            }
            else if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece))
            {
                text.Append(piece.Text);
            }
            else if (e.TryPickDelta(out _))
            {
                kinds.Add("message_delta");
            }
            else if (e.TryPickStop(out _))
            {
                kinds.Add("message_stop");
            }
        }

        Assert.Equal(["message_start", "message_delta", "message_stop"], kinds);
        Assert.Equal(Qwen.Emulator.EmulatorText.ForScenario("chunks=2", 7), text.ToString());
        Assert.Equal("/v1/messages", Assert.Single(gateway.Emulator.State.Requests).Path);
    }

    [Fact]
    public async Task A_native_upstream_failure_reaches_the_client_in_anthropics_envelope()
    {
        await using var gateway = await Gateway.StartAsync("fault=500", OpenAiSdk.ClientKeys, nativeMessages: true);

        var error = await Assert.ThrowsAnyAsync<AnthropicApiException>(() => AnthropicSdk.Client(gateway).Messages.Create(Ask("hi")));

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, error.StatusCode);
        Assert.Contains("\"type\":\"error\"", error.ResponseBody, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"api_error\"", error.ResponseBody, StringComparison.Ordinal);
    }

    private static string Text(ContentBlock block)
    {
        Assert.True(block.TryPickText(out var text));
        return text.Text;
    }
}
