#pragma warning disable OPENAI001 // the SDK marks its Responses client as evaluation-only
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>How the native <c>/v1/responses</c> path fails: never a stream that just stops, never a 200 for an error.</summary>
public sealed class NativeResponsesFailureTests
{
    [Fact]
    public async Task A_native_stream_that_breaks_ends_with_an_error_event()
    {
        await using var gateway = await Gateway.StartAsync("chunks=6;chunk_chars=5;fault=reset_mid:4", nativeResponses: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses")
        {
            Content = new StringContent("""{"model":"qwen3-coder-plus","input":"hi","stream":true,"store":false}""", Encoding.UTF8, "application/json"),
        };

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, frames.Length);
        Assert.StartsWith("event: response.created\n", frames[0], StringComparison.Ordinal);
        Assert.Equal(
            """event: error""" + "\n" + """data: {"type":"error","code":"upstream_error","message":"The upstream stream broke before it completed.","param":null}""",
            frames[^1]);
    }

    [Fact]
    public async Task A_native_url_the_upstream_does_not_serve_is_an_error_not_a_200()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2", emulator: o => o.ServeResponses = false, nativeResponses: true);
        var client = new ResponsesClient(
            new ApiKeyCredential(OpenAiSdk.ClientKey),
            new ResponsesClientOptions { Endpoint = new Uri(gateway.ProxyBase, "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            client.CreateResponseAsync(new CreateResponseOptions(OpenAiSdk.Model, [ResponseItem.CreateUserMessageItem("hi")]) { StoredOutputEnabled = false }));

        Assert.Equal(404, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content);
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }
}
