using System.Net;
using System.Text;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Pool;

/// <summary>
/// Native or translated is decided per account: the account the pool picks serves /v1/responses or
/// /v1/messages natively when its entry names a <c>responses_url</c> or <c>messages_url</c> (as the
/// DashScope presets do), and the request is translated to chat completions otherwise.
/// </summary>
public sealed class NativeProtocolsPerAccountTests
{
    private const string Responses = """{"model":"qwen3-coder-plus","input":"hi","store":false}""";
    private const string Messages = """{"model":"qwen3-coder-plus","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""";

    private static async Task<HttpStatusCode> PostAsync(PoolGateway gateway, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_picked_account_with_a_native_url_gets_the_request_as_sent()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("native", null), ("chat", null)],
            file: "\"strategy\":\"fill-first\",",
            fields: (i, emulator) => i == 0
                ? $",\"responses_url\":\"{new Uri(emulator, "/v1/responses")}\",\"messages_url\":\"{new Uri(emulator, "/v1/messages")}\""
                : string.Empty);

        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/responses", Responses));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/messages", Messages));

        var requests = gateway.Emulators[0].State.Requests;
        Assert.Equal(["/v1/responses", "/v1/messages"], requests.Select(r => r.Path));
        Assert.Equal(Responses, requests[0].BodyText);
        Assert.Equal(Messages, requests[1].BodyText);
        Assert.Equal(PoolGateway.KeyOf(0), requests[1].Headers["x-api-key"]);
        Assert.Empty(gateway.Emulators[1].State.Requests);
    }

    [Fact]
    public async Task The_picked_account_without_one_gets_the_request_translated_to_chat()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("chat", null), ("native", null)],
            file: "\"strategy\":\"fill-first\",",
            fields: (i, emulator) => i == 1 ? $",\"responses_url\":\"{new Uri(emulator, "/v1/responses")}\"" : string.Empty);

        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/responses", Responses));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/messages", Messages));

        Assert.Equal(["/v1/chat/completions", "/v1/chat/completions"], gateway.Emulators[0].State.Requests.Select(r => r.Path));
        Assert.Empty(gateway.Emulators[1].State.Requests);
    }
}
