using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>Chat completions as a client built on the official OpenAI SDK sees them through the proxy.</summary>
public sealed class ChatThroughSdkTests
{
    [Fact]
    public async Task Streamed_text_read_by_the_sdk_is_the_emulators_text()
    {
        const string scenario = "chunks=9;chunk_chars=7";
        await using var gateway = await Gateway.StartAsync(scenario);

        var (text, finish, _, _) = await StreamAsync(OpenAiSdk.Chat(gateway));

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), text);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData("chunks=10;chunk_chars=6;stutter=cumulative:3")]
    [InlineData("chunks=10;chunk_chars=6;stutter=cumulative_all")]
    [InlineData("chunks=6;chunk_chars=4;stutter=tricky")]
    public async Task Stuttering_upstream_still_gives_the_sdk_the_true_text(string scenario)
    {
        await using var gateway = await Gateway.StartAsync(scenario);

        var (text, finish, _, _) = await StreamAsync(OpenAiSdk.Chat(gateway));

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), text);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task Non_streaming_answer_carries_text_finish_reason_and_the_emulators_usage()
    {
        const string scenario = "chunks=5;chunk_chars=8";
        await using var gateway = await Gateway.StartAsync(scenario);

        ChatCompletion completion = await OpenAiSdk.Chat(gateway).CompleteChatAsync(OpenAiSdk.Hello);

        var truth = EmulatorText.ForScenario(scenario, 7);
        Assert.Equal(truth, Assert.Single(completion.Content).Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(OpenAiSdk.Model, completion.Model);
        var record = Assert.Single(gateway.Emulator.State.Requests);
        AssertUsage(completion.Usage, record.Body.Length, truth.Length);
    }

    [Fact]
    public async Task Streamed_usage_asked_for_by_the_sdk_arrives_as_the_emulator_counted_it()
    {
        const string scenario = "chunks=4;chunk_chars=9";
        await using var gateway = await Gateway.StartAsync(scenario);

        var (text, _, usage, _) = await StreamAsync(OpenAiSdk.Chat(gateway));

        var record = Assert.Single(gateway.Emulator.State.Requests);
        using var body = JsonDocument.Parse(record.Body);
        Assert.True(body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.NotNull(usage);
        AssertUsage(usage, record.Body.Length, text.Length);
    }

    [Theory]
    [InlineData("chunks=5;tools=2")]
    [InlineData("chunks=5;chunk_chars=4;tools=2;stutter=cumulative:3")]
    [InlineData("chunks=0;tools=3")]
    public async Task Streamed_tool_calls_reassemble_to_the_emulators_ids_names_and_arguments(string scenario)
    {
        await using var gateway = await Gateway.StartAsync(scenario);

        var (text, finish, _, calls) = await StreamAsync(OpenAiSdk.Chat(gateway));

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), text);
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        var expected = EmulatorText.ToolCalls(7, scenario.Contains("tools=3", StringComparison.Ordinal) ? 3 : 2);
        Assert.Equal(expected.Select(c => (c.Index, c.Id, c.Name, c.Arguments)), calls);
    }

    [Fact]
    public async Task Non_streaming_tool_calls_carry_the_emulators_ids_names_and_arguments()
    {
        await using var gateway = await Gateway.StartAsync("chunks=0;tools=2");

        ChatCompletion completion = await OpenAiSdk.Chat(gateway).CompleteChatAsync(OpenAiSdk.Hello);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        Assert.Empty(completion.Content);
        var expected = EmulatorText.ToolCalls(7, 2);
        Assert.Equal(
            expected.Select(c => (c.Id, c.Name, c.Arguments)),
            completion.ToolCalls.Select(c => (c.Id, c.FunctionName, c.FunctionArguments.ToString())));
        Assert.All(completion.ToolCalls, c => Assert.Equal(ChatToolCallKind.Function, c.Kind));
    }

    private static void AssertUsage(ChatTokenUsage usage, int requestBytes, int completionChars)
    {
        var input = (requestBytes + 3) / 4;
        var output = (completionChars + 3) / 4;
        Assert.Equal(input, usage.InputTokenCount);
        Assert.Equal(output, usage.OutputTokenCount);
        Assert.Equal(input + output, usage.TotalTokenCount);
    }

    private static async Task<(string Text, ChatFinishReason? Finish, ChatTokenUsage? Usage, List<(int Index, string Id, string Name, string Arguments)> Calls)> StreamAsync(ChatClient client)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var ids = new SortedDictionary<int, string>();
        var names = new Dictionary<int, string>();
        var arguments = new Dictionary<int, StringBuilder>();
        await foreach (var update in client.CompleteChatStreamingAsync(OpenAiSdk.Hello))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            foreach (var call in update.ToolCallUpdates)
            {
                if (call.ToolCallId is not null)
                {
                    ids.Add(call.Index, call.ToolCallId);
                }

                if (call.FunctionName is not null)
                {
                    names.Add(call.Index, call.FunctionName);
                }

                if (call.FunctionArgumentsUpdate is { } args)
                {
                    var builder = arguments.TryGetValue(call.Index, out var b) ? b : arguments[call.Index] = new StringBuilder();
                    builder.Append(args.ToString());
                }
            }

            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
        }

        var calls = ids.Select(kv => (kv.Key, kv.Value, names[kv.Key], arguments.TryGetValue(kv.Key, out var a) ? a.ToString() : "")).ToList();
        return (text.ToString(), finish, usage, calls);
    }
}
