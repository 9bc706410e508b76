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

    private static string NativeFields(int i, Uri emulator) =>
        $",\"responses_url\":\"{new Uri(emulator, "/v1/responses")}\",\"messages_url\":\"{new Uri(emulator, "/v1/messages")}\"";

    [Theory]
    [InlineData("429_quota")]
    [InlineData("503")]
    [InlineData("401")]
    public async Task A_native_call_that_fails_before_the_answer_moves_to_the_next_native_account(string fault)
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("first", fault), ("second", null)],
            file: "\"strategy\":\"fill-first\",",
            fields: NativeFields);

        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/responses", Responses));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(gateway, "/v1/messages", Messages));

        // The first account was tried for the first request at least; the second answered both, as sent.
        Assert.Equal("/v1/responses", gateway.Emulators[0].State.Requests[0].Path);
        var served = gateway.Emulators[1].State.Requests;
        Assert.Equal(["/v1/responses", "/v1/messages"], served.Select(r => r.Path));
        Assert.Equal(Responses, served[0].BodyText);
        Assert.Equal(Messages, served[1].BodyText);
        Assert.Equal(PoolGateway.KeyOf(1), served[1].Headers["x-api-key"]);
        Assert.Contains("Request moves from account first to second after ", gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_native_call_the_client_got_wrong_is_answered_as_it_is_and_not_moved()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("first", "400"), ("second", null)],
            file: "\"strategy\":\"fill-first\",",
            fields: NativeFields);

        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(gateway, "/v1/responses", Responses));

        Assert.Single(gateway.Emulators[0].State.Requests);
        Assert.Empty(gateway.Emulators[1].State.Requests);
    }

    [Fact]
    public async Task When_every_native_account_fails_the_last_failure_is_the_answer_in_the_protocols_envelope()
    {
        await using var gateway = await PoolGateway.StartAsync(
            [("first", "503"), ("second", "503")],
            file: "\"strategy\":\"fill-first\",",
            fields: NativeFields);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(Messages, Encoding.UTF8, "application/json") };
        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.StartsWith("{\"type\":\"error\",\"error\":{\"type\":", text, StringComparison.Ordinal);
        Assert.NotEmpty(gateway.Emulators[0].State.Requests);
        Assert.NotEmpty(gateway.Emulators[1].State.Requests);
        Assert.All(gateway.Emulators.SelectMany(e => e.State.Requests), r => Assert.Equal("/v1/messages", r.Path));
    }
}
