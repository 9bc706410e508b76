using System.Text;
using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Anthropic;

/// <summary>
/// The official Anthropic SDK against the proxy in front of a chat-only upstream (the emulator):
/// every request is translated to chat completions and every answer back.
/// </summary>
public sealed class MessagesThroughSdkTests
{
    private static MessageCreateParams Ask(string text, params Tool[] tools) => new()
    {
        Model = AnthropicSdk.Model,
        MaxTokens = 256,
        Messages = [new UserMessageParam { Content = text }],
        Tools = tools.Length == 0 ? null : tools.Select(t => (ToolUnion)t).ToList(),
    };

    private static Tool ReadFile => new()
    {
        Name = "read_file",
        Description = "Reads a file",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement> { ["path"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
            Required = ["path"],
        },
    };

    [Fact]
    public async Task A_plain_message_comes_back_as_a_message_object()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3", OpenAiSdk.ClientKeys);

        var message = await AnthropicSdk.Client(gateway).Messages.Create(Ask("hi"));

        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.StartsWith("msg_", message.ID);
        Assert.Equal(AnthropicSdk.Model, message.Model.Raw());
        Assert.Equal(EmulatorText.ForScenario("chunks=3", 7), Text(Assert.Single(message.Content)));
        Assert.Equal(StopReason.EndTurn, message.StopReason?.Value());
        Assert.Null(message.StopSequence);
        Assert.Equal((record.Body.Length + 3) / 4, message.Usage.InputTokens);
        Assert.Equal((EmulatorText.ForScenario("chunks=3", 7).Length + 3) / 4, message.Usage.OutputTokens);
        Assert.Equal(
            """{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}],"max_tokens":256}""",
            record.BodyText);
        Assert.Equal("Bearer " + Gateway.UpstreamKey, record.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_streamed_message_arrives_as_messages_events_in_order()
    {
        await using var gateway = await Gateway.StartAsync("chunks=4", OpenAiSdk.ClientKeys);

        var kinds = new List<string>();
        var text = new StringBuilder();
        long? outputTokens = null;
        StopReason? stop = null;
        await foreach (var e in AnthropicSdk.Client(gateway).Messages.CreateStreaming(Ask("hi")))
        {
            if (e.TryPickStart(out var start))
            {
                kinds.Add("message_start");
                Assert.Equal(AnthropicSdk.Model, start.Message.Model.Raw());
            }
            else if (e.TryPickContentBlockStart(out var blockStart))
            {
                kinds.Add("content_block_start:" + blockStart.Index);
                Assert.True(blockStart.ContentBlock.TryPickText(out _));
            }
            else if (e.TryPickContentBlockDelta(out var delta))
            {
                kinds.Add("content_block_delta:" + delta.Index);
                Assert.True(delta.Delta.TryPickText(out var textDelta));
                text.Append(textDelta.Text);
            }
            else if (e.TryPickContentBlockStop(out var blockStop))
            {
                kinds.Add("content_block_stop:" + blockStop.Index);
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                kinds.Add("message_delta");
                stop = messageDelta.Delta.StopReason?.Value();
                outputTokens = messageDelta.Usage.OutputTokens;
            }
            else if (e.TryPickStop(out _))
            {
                kinds.Add("message_stop");
            }
        }

        var expected = EmulatorText.ForScenario("chunks=4", 7);
        Assert.Equal(
            ["message_start", "content_block_start:0", "content_block_delta:0", "content_block_delta:0", "content_block_delta:0", "content_block_delta:0", "content_block_stop:0", "message_delta", "message_stop"],
            kinds);
        Assert.Equal(expected, text.ToString());
        Assert.Equal(StopReason.EndTurn, stop);
        Assert.Equal((expected.Length + 3) / 4, outputTokens);
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", Assert.Single(gateway.Emulator.State.Requests).BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_call_round_trip_streams_a_tool_use_and_sends_the_result_back_as_a_tool_message()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2;tools=1", OpenAiSdk.ClientKeys);
        var client = AnthropicSdk.Client(gateway);
        var call = Assert.Single(EmulatorText.ToolCalls(7, 1));
        var text = EmulatorText.ForScenario("chunks=2;tools=1", 7);

        var blocks = new List<string>();
        string? id = null, name = null;
        var said = new StringBuilder();
        var json = new StringBuilder();
        StopReason? stop = null;
        await foreach (var e in client.Messages.CreateStreaming(Ask("read it", ReadFile)))
        {
            if (e.TryPickContentBlockStart(out var start))
            {
                blocks.Add(start.Index + ":" + start.ContentBlock.Type.Raw());
                if (start.ContentBlock.TryPickToolUse(out var toolUse))
                {
                    (id, name) = (toolUse.ID, toolUse.Name);
                }
            }
            else if (e.TryPickContentBlockDelta(out var delta))
            {
                if (delta.Delta.TryPickInputJson(out var input))
                {
                    json.Append(input.PartialJson);
                }
                else if (delta.Delta.TryPickText(out var piece))
                {
                    said.Append(piece.Text);
                }
            }
            else if (e.TryPickDelta(out var messageDelta))
            {
                stop = messageDelta.Delta.StopReason?.Value();
            }
        }

        Assert.Equal(["0:text", "1:tool_use"], blocks);
        Assert.Equal(text, said.ToString());
        Assert.Equal((call.Id, call.Name, call.Arguments), (id, name, json.ToString()));
        Assert.Equal(StopReason.ToolUse, stop);

        var answer = await client.Messages.Create(new MessageCreateParams
        {
            Model = AnthropicSdk.Model,
            MaxTokens = 256,
            Tools = [ReadFile],
            Messages =
            [
                new UserMessageParam { Content = "read it" },
                new AssistantMessageParam
                {
                    Content = new List<ContentBlockParam>
                    {
                        new TextBlockParam { Text = said.ToString() },
                        new ToolUseBlockParam { ID = id!, Name = name!, Input = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json.ToString())! },
                    },
                },
                new UserMessageParam
                {
                    Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = id!, Content = "fn main() {}" } },
                },
            ],
        });

        Assert.Equal(2, answer.Content.Count);
        Assert.Equal(text, Text(answer.Content[0]));
        Assert.True(answer.Content[1].TryPickToolUse(out var again));
        Assert.Equal((call.Id, call.Name), (again.ID, again.Name));
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(call.Arguments).RootElement), JsonSerializer.Serialize(again.Input));
        Assert.Equal(StopReason.ToolUse, answer.StopReason?.Value());
        var sent = gateway.Emulator.State.Requests[^1].BodyText;
        Assert.Contains($$"""{"role":"tool","tool_call_id":"{{call.Id}}","content":"fn main() {}"}""", sent, StringComparison.Ordinal);
        Assert.Contains($$"""{"id":"{{call.Id}}","type":"function","function":{"name":"read_file","arguments":""", sent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upstream_500_is_a_502_api_error_in_anthropics_envelope(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("fault=500", OpenAiSdk.ClientKeys);

        var error = await CallAsync(AnthropicSdk.Client(gateway), stream);

        Assert.Equal(System.Net.HttpStatusCode.BadGateway, error.StatusCode);
        using var body = JsonDocument.Parse(error.ResponseBody);
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("api_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("The upstream failed with status 500: emulated fault: 500 Internal Server Error", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(4, gateway.Emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upstream_400_is_a_400_invalid_request_error(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("fault=400", OpenAiSdk.ClientKeys);

        var error = await CallAsync(AnthropicSdk.Client(gateway), stream);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        using var body = JsonDocument.Parse(error.ResponseBody);
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task A_wrong_client_key_in_x_api_key_is_401_authentication_error_and_nothing_goes_upstream()
    {
        await using var gateway = await Gateway.StartAsync(environment: OpenAiSdk.ClientKeys);

        var error = await CallAsync(AnthropicSdk.Client(gateway, key: "client-key-wrong-9999"), stream: false);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        using var body = JsonDocument.Parse(error.ResponseBody);
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("Invalid API key.", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
        Assert.DoesNotContain("client-key-wrong-9999", gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_by_the_upstream_ends_with_an_error_event_and_no_message_stop()
    {
        await using var gateway = await Gateway.StartAsync("chunks=4;fault=reset_mid:2", OpenAiSdk.ClientKeys);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", OpenAiSdk.ClientKey);

        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]).Where(e => !e.StartsWith(':')).ToArray();
        Assert.Equal(["event: message_start", "event: content_block_start", "event: ping", "event: content_block_delta", "event: content_block_delta", "event: error"], events);
        Assert.EndsWith(
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"The upstream connection broke during the stream.\"}}\n\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_tokens_answers_the_local_estimate()
    {
        await using var gateway = await Gateway.StartAsync(environment: OpenAiSdk.ClientKeys);

        var count = await AnthropicSdk.Client(gateway).Messages.CountTokens(new MessageCountTokensParams
        {
            Model = AnthropicSdk.Model,
            Messages = [new UserMessageParam { Content = "hi" }],
        });

        // Translated, {"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]} is 72 bytes: 18 tokens.
        Assert.Equal(18, count.InputTokens);
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
    }

    private static string Text(ContentBlock block)
    {
        Assert.True(block.TryPickText(out var text));
        return text.Text;
    }

    private static async Task<AnthropicApiException> CallAsync(global::Anthropic.AnthropicClient client, bool stream)
    {
        if (stream)
        {
            return await Assert.ThrowsAnyAsync<AnthropicApiException>(async () =>
            {
                await foreach (var _ in client.Messages.CreateStreaming(Ask("hi")))
                {
                }
            });
        }

        return await Assert.ThrowsAnyAsync<AnthropicApiException>(() => client.Messages.Create(Ask("hi")));
    }
}
