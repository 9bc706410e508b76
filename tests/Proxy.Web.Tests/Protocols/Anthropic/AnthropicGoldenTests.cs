using System.Buffers;
using Proxy.Actors.Resilience;
using Proxy.Web.Protocols.Anthropic;

namespace Proxy.Web.Tests.Protocols.Anthropic;

/// <summary>Real request and answer shapes, translated both ways, compared byte for byte with golden files.</summary>
public sealed class AnthropicGoldenTests
{
    [Theory]
    [InlineData("claude-code-request")]
    [InlineData("tool-round-trip-request")]
    public void A_messages_request_becomes_the_golden_chat_request(string name)
    {
        Assert.True(AnthropicRequestTranslator.TryTranslate(Golden.ReadBytes(name + ".json"), out var chat, out _, out var error), error?.Message);

        Golden.AssertMatches(name + ".chat.json", Encoding.UTF8.GetString(chat) + "\n");
    }

    [Fact]
    public void Claude_codes_request_keeps_what_the_answer_needs()
    {
        Assert.True(AnthropicRequestTranslator.TryTranslate(Golden.ReadBytes("claude-code-request.json"), out var chat, out var request, out _));

        Assert.Equal("claude-sonnet-4-5-20250929", request.Model);
        Assert.True(request.Stream);
        Assert.False(request.ShowThinking);
        Assert.Equal((chat.Length + 3) / 4, request.InputTokenEstimate);
    }

    [Fact]
    public void Images_count_as_a_fixed_number_of_tokens_in_the_estimate()
    {
        Assert.True(AnthropicRequestTranslator.TryTranslate(Golden.ReadBytes("tool-round-trip-request.json"), out var chat, out var request, out _));

        var imageUrls = "data:image/png;base64,iVBORw0KGgo=".Length + "https://example.com/map.jpg".Length;
        Assert.Equal(((chat.Length - imageUrls + 3) / 4) + (2 * AnthropicTokenEstimate.TokensPerImage), request.InputTokenEstimate);
        Assert.True(request.ShowThinking);
        Assert.False(request.Stream);
    }

    [Theory]
    [InlineData("text-stream", true)]
    [InlineData("thinking-tools-stream", true)]
    [InlineData("upstream-error-stream", true)]
    public void A_chat_stream_becomes_the_golden_messages_events(string name, bool showThinking)
    {
        Golden.AssertMatches(name + ".anthropic.sse", Translate(name + ".chat.sse", showThinking));
    }

    [Fact]
    public void Reasoning_is_left_out_when_the_request_omits_thinking_display()
    {
        Golden.AssertMatches("thinking-tools-stream.omitted.anthropic.sse", Translate("thinking-tools-stream.chat.sse", showThinking: false));
    }

    [Theory]
    [InlineData("tools-completion", true)]
    [InlineData("text-completion", false)]
    public void A_chat_completion_becomes_the_golden_message(string name, bool showThinking)
    {
        var request = new AnthropicRequest("claude-sonnet-4-5", Stream: false, showThinking, InputTokenEstimate: 10);
        var protocol = new AnthropicProtocol(request, "claude-sonnet-4-5", new CountingIds());

        var message = protocol.TranslateCompletion(Golden.ReadBytes(name + ".chat.json"));

        Golden.AssertMatches(name + ".anthropic.json", Encoding.UTF8.GetString(message) + "\n");
    }

    [Fact]
    public void A_failure_after_the_stream_started_ends_with_an_error_event_and_nothing_after_it()
    {
        var translator = new AnthropicStreamTranslator(new CountingIds(), "claude-x", showThinking: true, inputEstimate: 7);
        var output = new ArrayBufferWriter<byte>();

        translator.WriteEvent("""{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"""u8, output);
        translator.WriteError(FailureKind.StreamStalled, "The upstream stream went silent for too long.", "upstream_timeout", output);
        translator.WriteDone(output);
        translator.WriteEvent("""{"choices":[{"index":0,"delta":{"content":"late"},"finish_reason":null}]}"""u8, output);

        Assert.Equal(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_test_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":7,\"output_tokens\":0}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: ping\ndata: {\"type\":\"ping\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
            + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"timeout_error\",\"message\":\"The upstream stream went silent for too long.\"}}\n\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void An_empty_stream_still_opens_and_closes_the_message()
    {
        var translator = new AnthropicStreamTranslator(new CountingIds(), "m", showThinking: true, inputEstimate: 3);
        var output = new ArrayBufferWriter<byte>();

        translator.WriteDone(output);

        Assert.Equal(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_test_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":0}}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Text_and_tool_argument_events_allocate_nothing_once_their_block_is_open()
    {
        var text = """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"some \"text\" é"},"finish_reason":null}]}"""u8.ToArray();
        var arguments = """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1"}}]},"finish_reason":null}]}"""u8.ToArray();
        var output = new ArrayBufferWriter<byte>(1 << 20);
        var writer = new AnthropicStreamTranslator(new CountingIds(), "m", showThinking: true, inputEstimate: 1);
        var tools = new AnthropicStreamTranslator(new CountingIds(), "m", showThinking: true, inputEstimate: 1);
        writer.WriteEvent(text, output);
        tools.WriteEvent("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":""}}]}}]}"""u8, output);
        tools.WriteEvent(arguments, output);
        output.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            writer.WriteEvent(text, output);
            tools.WriteEvent(arguments, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Feeds each <c>data:</c> payload of a chat stream file to a translator; <c>[DONE]</c> calls WriteDone.</summary>
    private static string Translate(string chatStream, bool showThinking)
    {
        var translator = new AnthropicStreamTranslator(new CountingIds(), "claude-sonnet-4-5", showThinking, inputEstimate: 42);
        var output = new ArrayBufferWriter<byte>();
        foreach (var frame in Golden.Read(chatStream).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var payload = frame["data: ".Length..];
            if (payload == "[DONE]")
            {
                translator.WriteDone(output);
            }
            else
            {
                translator.WriteEvent(Encoding.UTF8.GetBytes(payload), output);
            }
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
