using System.Net;
using System.Text;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

/// <summary>Anthropic Messages served natively, as DashScope's /apps/anthropic does.</summary>
public sealed class MessagesEndpointTests
{
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";

    private static HttpRequestMessage Post(string body, string scenario, string? key = TestEmulator.ApiKey, string path = "/v1/messages")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Emulator-Scenario", scenario);
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        return request;
    }

    [Fact]
    public async Task A_message_carries_the_scenario_text_and_a_tool_use()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var call = EmulatorText.ToolCalls(7, 1)[0];

        using var response = await emulator.Client.SendAsync(Post(Body, "seed=7;chunks=2;chunk_chars=4;tools=1"), emulator.Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            "{\"id\":\"msg_emu_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":["
            + "{\"type\":\"text\",\"text\":" + Qwen.Emulator.Chat.JsonText.AppendQuoted(new StringBuilder(), EmulatorText.For(7, 2, 4)) + "},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_" + call.Id[5..] + "\",\"name\":\"" + call.Name + "\",\"input\":" + call.Arguments + "}],"
            + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + ((Body.Length + 3) / 4) + ",\"output_tokens\":" + ((8 + call.Arguments.Length + 3) / 4) + "}}",
            await response.Content.ReadAsStringAsync(emulator.Ct));
        Assert.Equal("/v1/messages", Assert.Single(emulator.State.Requests).Path);
    }

    [Fact]
    public async Task With_tools_once_a_tool_result_is_answered_with_text_only()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.ToolsOnce = true);
        const string afterTool = """{"model":"m","max_tokens":64,"messages":[{"role":"user","content":"hi"},"""
            + """{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"read_file","input":{}}]},"""
            + """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"done"}]}]}""";

        using var first = await emulator.Client.SendAsync(Post(Body, "seed=7;chunks=1;tools=1"), emulator.Ct);
        using var second = await emulator.Client.SendAsync(Post(afterTool, "seed=7;chunks=1;tools=1"), emulator.Ct);

        Assert.Contains("\"stop_reason\":\"tool_use\"", await first.Content.ReadAsStringAsync(emulator.Ct), StringComparison.Ordinal);
        var text = await second.Content.ReadAsStringAsync(emulator.Ct);
        Assert.Contains("\"stop_reason\":\"end_turn\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tool_use", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_sends_the_events_in_anthropics_order()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.Client.SendAsync(Post(Body.Replace("\"max_tokens\":64", "\"max_tokens\":64,\"stream\":true"), "seed=7;chunks=2;chunk_chars=4"), emulator.Ct);

        var text = await response.Content.ReadAsStringAsync(emulator.Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var names = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')[0]).ToArray();
        Assert.Equal(
            ["event: message_start", "event: ping", "event: content_block_start", "event: content_block_delta", "event: content_block_delta", "event: content_block_stop", "event: message_delta", "event: message_stop"],
            names);
        Assert.Contains("data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":2}}\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_401_in_anthropics_envelope()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.Client.SendAsync(Post(Body, "chunks=1", key: "nope"), emulator.Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""", await response.Content.ReadAsStringAsync(emulator.Ct));
    }

    [Fact]
    public async Task A_status_fault_is_answered_in_anthropics_envelope()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.Client.SendAsync(Post(Body, "fault=529"), emulator.Ct);

        Assert.Equal((HttpStatusCode)529, response.StatusCode);
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"emulated fault: 529"}}""", await response.Content.ReadAsStringAsync(emulator.Ct));
    }

    [Fact]
    public async Task Count_tokens_is_a_quarter_of_the_body()
    {
        await using var emulator = await TestEmulator.StartAsync();

        using var response = await emulator.Client.SendAsync(Post(Body, "chunks=1", path: "/v1/messages/count_tokens"), emulator.Ct);

        Assert.Equal($"{{\"input_tokens\":{(Body.Length + 3) / 4}}}", await response.Content.ReadAsStringAsync(emulator.Ct));
    }

    [Fact]
    public async Task Without_messages_the_paths_are_404()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.ServeMessages = false);

        using var response = await emulator.Client.SendAsync(Post(Body, "chunks=1"), emulator.Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(CommandLine.Parse(["--no-messages"])!.ServeMessages);
        Assert.True(CommandLine.Parse([])!.ServeMessages);
    }
}
