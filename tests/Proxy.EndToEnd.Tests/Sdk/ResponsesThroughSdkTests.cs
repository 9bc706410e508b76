#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>
/// The OpenAI SDK's Responses client through the proxy, on both paths: translated (the emulator
/// serves chat only, as with <c>--no-responses</c>) and native (<c>UPSTREAM_RESPONSES_URL</c> set to
/// the emulator's own <c>/v1/responses</c>).
/// </summary>
public sealed class ResponsesThroughSdkTests
{
    private const string Scenario = "chunks=3;chunk_chars=5";
    private const string ToolScenario = "chunks=2;chunk_chars=5;tools=1";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_whole_response_carries_the_text_and_usage(bool native)
    {
        await using var gateway = await StartAsync(Scenario, native);

        ResponseResult result = await Client(gateway).CreateResponseAsync(Options("hi"));

        Assert.Equal(EmulatorText.ForScenario(Scenario, 7), result.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.StartsWith("resp_", result.Id, StringComparison.Ordinal);
        Assert.Equal(OpenAiSdk.Model, result.Model);
        Assert.Equal(result.Usage.InputTokenCount + result.Usage.OutputTokenCount, result.Usage.TotalTokenCount);
        Assert.True(result.Usage.OutputTokenCount > 0);
        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal(native ? "/v1/responses" : "/v1/chat/completions", record.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stream_carries_the_text_in_order_and_ends_completed(bool native)
    {
        await using var gateway = await StartAsync(Scenario, native);

        var updates = await StreamAsync(Client(gateway), Options("hi"));

        var text = string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta));
        Assert.Equal(EmulatorText.ForScenario(Scenario, 7), text);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.IsType<StreamingResponseInProgressUpdate>(updates[1]);
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        Assert.Equal(ResponseStatus.Completed, completed.Response.Status);
        Assert.Equal(text, completed.Response.GetOutputText());
        Assert.True(completed.Response.Usage.TotalTokenCount > 0);
        Assert.Equal(
            [
                "StreamingResponseCreatedUpdate", "StreamingResponseInProgressUpdate", "StreamingResponseOutputItemAddedUpdate",
                "StreamingResponseContentPartAddedUpdate", "StreamingResponseOutputTextDeltaUpdate", "StreamingResponseOutputTextDoneUpdate",
                "StreamingResponseContentPartDoneUpdate", "StreamingResponseOutputItemDoneUpdate", "StreamingResponseCompletedUpdate",
            ],
            updates.Select(u => u.GetType().Name).Distinct());
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_tool_round_trip_returns_the_call_and_sends_its_output_back(bool native, bool stream)
    {
        await using var gateway = await StartAsync(ToolScenario, native);
        var client = Client(gateway);
        var expected = EmulatorText.ToolCalls(7, 1)[0];

        var first = Options("read the file");
        first.Tools.Add(ResponseTool.CreateFunctionTool(expected.Name, BinaryData.FromString("""{"type":"object","properties":{"path":{"type":"string"}}}"""), strictModeEnabled: false, "Reads a file."));
        var result = stream
            ? Assert.IsType<StreamingResponseCompletedUpdate>((await StreamAsync(client, first))[^1]).Response
            : (ResponseResult)await client.CreateResponseAsync(first);

        var call = Assert.Single(result.OutputItems.OfType<FunctionCallResponseItem>());
        Assert.Equal(expected.Id, call.CallId);
        Assert.Equal(expected.Name, call.FunctionName);
        Assert.Equal(expected.Arguments, call.FunctionArguments.ToString());
        Assert.Equal(EmulatorText.ForScenario(ToolScenario, 7), result.GetOutputText());

        var second = Options("read the file");
        second.Tools.Add(first.Tools[0]);
        second.InputItems.Add(ResponseItem.CreateFunctionCallItem(call.CallId, call.FunctionName, call.FunctionArguments));
        second.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem(call.CallId, "line one\n\"two\""));
        var answer = stream
            ? Assert.IsType<StreamingResponseCompletedUpdate>((await StreamAsync(client, second))[^1]).Response
            : (ResponseResult)await client.CreateResponseAsync(second);

        Assert.Equal(ResponseStatus.Completed, answer.Status);
        var sent = gateway.Emulator.State.Requests[^1];
        using var body = JsonDocument.Parse(sent.Body);
        if (native)
        {
            Assert.Equal("/v1/responses", sent.Path);
            var items = body.RootElement.GetProperty("input");
            var last = items[items.GetArrayLength() - 1];
            Assert.Equal("function_call_output", last.GetProperty("type").GetString());
            Assert.Equal("line one\n\"two\"", last.GetProperty("output").GetString());
        }
        else
        {
            var messages = body.RootElement.GetProperty("messages");
            Assert.Equal(3, messages.GetArrayLength());
            Assert.Equal(expected.Id, messages[1].GetProperty("tool_calls")[0].GetProperty("id").GetString());
            Assert.Equal(expected.Arguments, messages[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
            Assert.Equal("tool", messages[2].GetProperty("role").GetString());
            Assert.Equal(expected.Id, messages[2].GetProperty("tool_call_id").GetString());
            Assert.Equal("line one\n\"two\"", messages[2].GetProperty("content").GetString());
            Assert.Equal(expected.Name, body.RootElement.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString());
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task An_upstream_400_is_a_400_in_openais_envelope(bool native, bool stream)
    {
        await using var gateway = await StartAsync("fault=400", native);
        var client = Client(gateway);

        var error = await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            if (stream)
            {
                await StreamAsync(client, Options("hi"));
            }
            else
            {
                await client.CreateResponseAsync(Options("hi"));
            }
        });

        Assert.Equal(400, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content);
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task A_stream_that_breaks_after_it_started_ends_with_response_failed()
    {
        await using var gateway = await StartAsync("chunks=6;chunk_chars=5;fault=reset_mid:3", native: false);

        var updates = await StreamAsync(Client(gateway), Options("hi"));

        var failed = Assert.IsType<StreamingResponseFailedUpdate>(updates[^1]);
        Assert.Equal(ResponseStatus.Failed, failed.Response.Status);
        Assert.False(string.IsNullOrEmpty(failed.Response.Error.Message));
        Assert.Equal(
            EmulatorText.ForScenario("chunks=6;chunk_chars=5", 7)[..15],
            string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta)));
    }

    [Fact]
    public async Task Store_true_is_refused_with_a_clear_400_on_the_translated_path()
    {
        await using var gateway = await StartAsync(Scenario, native: false);
        var options = Options("hi");
        options.StoredOutputEnabled = true;

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Client(gateway).CreateResponseAsync(options));

        Assert.Equal(400, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content);
        Assert.Equal("'store: true' is not supported: this proxy keeps no responses. Send 'store: false'.", body.RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
    }

    private static Task<Gateway> StartAsync(string scenario, bool native) => native
        ? Gateway.StartAsync(scenario, nativeResponses: true)
        : Gateway.StartAsync(scenario, emulator: o => o.ServeResponses = false);

    private static ResponsesClient Client(Gateway gateway) => new(
        new ApiKeyCredential(OpenAiSdk.ClientKey),
        new ResponsesClientOptions
        {
            Endpoint = new Uri(gateway.ProxyBase, "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(60),
        });

    private static CreateResponseOptions Options(string text) =>
        new(OpenAiSdk.Model, [ResponseItem.CreateUserMessageItem(text)]) { StoredOutputEnabled = false };

    private static async Task<List<StreamingResponseUpdate>> StreamAsync(ResponsesClient client, CreateResponseOptions options)
    {
        options.StreamingEnabled = true;
        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in await client.CreateResponseStreamingAsync(options))
        {
            updates.Add(update);
        }

        return updates;
    }
}
