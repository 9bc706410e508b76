using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>Model rewriting, usage only when asked, reasoning streams and the client rate limit, seen from outside.</summary>
public sealed class MoreThroughSdkTests
{
    [Theory]
    [InlineData("gpt-4o-mini", "gpt-4o-mini")] // an API-key upstream gets the client's model as sent
    [InlineData("my-coder", "qwen3-coder-flash")] // a MODEL_ALIASES name becomes its target
    public async Task Only_the_model_value_may_change_on_the_way_upstream(string model, string upstreamModel)
    {
        await using var gateway = await Gateway.StartAsync("chunks=2", new Dictionary<string, string?> { ["MODEL_ALIASES"] = "my-coder=qwen3-coder-flash" });
        const string rest = """ ,"temperature":0,"x_extra":{"a":[1,2.0]},"messages":[{"role":"user","content":"h\u00e9llo ☃"}],"stream":false}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($"{{\"model\":\"{model}\"" + rest, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };

        using var response = await gateway.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{{\"model\":\"{upstreamModel}\"" + rest, Assert.Single(gateway.Emulator.State.Requests).BodyText);
    }

    [Fact]
    public async Task Stream_carries_no_usage_chunk_when_the_client_did_not_ask()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3");

        using var request = Gateway.ChatRequest(stream: true);
        using var response = await gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"usage\"", body, StringComparison.Ordinal);
        Assert.Equal(4, Sse.Data(body).Count); // three content events and [DONE]
    }

    [Fact]
    public async Task Reasoning_before_the_content_does_not_change_the_text_the_sdk_reads()
    {
        const string scenario = "reasoning=3;chunks=4;stutter=cumulative:2";
        await using var gateway = await Gateway.StartAsync(scenario);

        var text = new StringBuilder();
        await foreach (var update in OpenAiSdk.Chat(gateway).CompleteChatStreamingAsync(OpenAiSdk.Hello))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), text.ToString());
    }

    [Fact]
    public async Task Request_over_the_client_rate_limit_is_a_429_with_retry_after_and_never_reaches_upstream()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2", new Dictionary<string, string?>
        {
            ["RATE_LIMIT_RPS"] = "0.01",
            ["RATE_LIMIT_BURST"] = "1",
        });
        var client = OpenAiSdk.Chat(gateway);

        ChatCompletion first = await client.CompleteChatAsync(OpenAiSdk.Hello);
        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync(OpenAiSdk.Hello));

        Assert.Equal(EmulatorText.ForScenario("chunks=2", 7), Assert.Single(first.Content).Text);
        Assert.Equal(429, error.Status);
        var raw = error.GetRawResponse()!;
        Assert.True(raw.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.True(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.True(raw.Headers.TryGetValue("X-RateLimit-Remaining", out var remaining));
        Assert.Equal("0", remaining);
        using var body = JsonDocument.Parse(raw.Content);
        Assert.Equal("rate_limit_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }
}
