#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only
using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI.Responses;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>Qwen's <c>reasoning_content</c> reaches a Responses client as a <c>reasoning</c> item before the message.</summary>
public sealed class ResponsesReasoningTests
{
    private const string Scenario = "chunks=2;chunk_chars=5;reasoning=3";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reasoning_content_becomes_a_reasoning_item_first(bool stream)
    {
        await using var gateway = await Gateway.StartAsync(Scenario, emulator: o => o.ServeResponses = false);
        var client = new ResponsesClient(
            new ApiKeyCredential(OpenAiSdk.ClientKey),
            new ResponsesClientOptions { Endpoint = new Uri(gateway.ProxyBase, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });
        var options = new CreateResponseOptions(OpenAiSdk.Model, [ResponseItem.CreateUserMessageItem("think")]) { StoredOutputEnabled = false, StreamingEnabled = stream };

        ResponseResult result;
        if (stream)
        {
            StreamingResponseUpdate? last = null;
            var reasoningDeltas = 0;
            await foreach (var update in await client.CreateResponseStreamingAsync(options))
            {
                reasoningDeltas += update is StreamingResponseReasoningTextDeltaUpdate ? 1 : 0;
                last = update;
            }

            Assert.Equal(3, reasoningDeltas);
            result = Assert.IsType<StreamingResponseCompletedUpdate>(last).Response;
        }
        else
        {
            result = await client.CreateResponseAsync(options);
        }

        Assert.Equal(2, result.OutputItems.Count);
        Assert.IsType<ReasoningResponseItem>(result.OutputItems[0]);
        Assert.Equal(EmulatorText.ForScenario(Scenario, 7), result.GetOutputText());
    }
}
