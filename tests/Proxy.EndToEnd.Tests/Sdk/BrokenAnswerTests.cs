using System.Net;
using System.Text.Json;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>What an upstream answer that breaks or refuses becomes: a 200 whose JSON stops half way is never a 200; a rejected API key gets no login advice.</summary>
public sealed class BrokenAnswerTests
{
    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/completions", """{"model":"qwen3-coder-plus","prompt":"hi"}""")]
    public async Task A_non_streaming_200_with_a_cut_json_body_is_a_502_upstream_error(string path, string body)
    {
        await using var gateway = await Gateway.StartAsync("fault=malformed:1");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("upstream_error", error.GetProperty("type").GetString());
        Assert.Equal("The upstream answered 200 with a body that is not one complete JSON document.", error.GetProperty("message").GetString());
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task A_non_streaming_200_with_a_whole_json_body_is_passed_on()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");
        using var request = Gateway.ChatRequest(stream: false);

        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("chat.completion", document.RootElement.GetProperty("object").GetString());
    }

    [Fact]
    public async Task A_rejected_upstream_api_key_is_not_answered_with_login_advice()
    {
        await using var gateway = await Gateway.StartAsync("fault=401");
        using var request = Gateway.ChatRequest(stream: false);

        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var document = JsonDocument.Parse(text);
        var message = document.RootElement.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Equal(
            "The upstream rejected the key of account 'qwen' (UPSTREAM_API_KEY); the account is marked dead (invalid_api_key) until its key is replaced and the proxy restarted.",
            message);
        Assert.DoesNotContain("log", message, StringComparison.OrdinalIgnoreCase);
    }
}
