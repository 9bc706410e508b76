using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>
/// <c>/v1/completions</c> (the SDK has no client for it, so raw HTTP): the prompt becomes one user
/// message upstream and the answer comes back in the <c>text_completion</c> shape.
/// </summary>
public sealed class LegacyCompletionsTests
{
    private const string Scenario = "chunks=4;chunk_chars=5";

    [Theory]
    [InlineData("\"say hi\"", "say hi")]
    [InlineData("[\"first line\",\"second line\"]", "first line\nsecond line")]
    public async Task Whole_answer_has_the_text_completion_shape(string prompt, string userMessage)
    {
        await using var gateway = await Gateway.StartAsync(Scenario);

        var (status, body) = await PostAsync(gateway, $$"""{"model":"qwen3-coder-plus","prompt":{{prompt}},"max_tokens":7,"stream":false}""");

        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.Equal("text_completion", root.GetProperty("object").GetString());
        Assert.Equal("qwen3-coder-plus", root.GetProperty("model").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Number, root.GetProperty("created").ValueKind);
        var choice = Assert.Single(root.GetProperty("choices").EnumerateArray());
        Assert.Equal(EmulatorText.ForScenario(Scenario, 7), choice.GetProperty("text").GetString());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.False(choice.TryGetProperty("message", out _));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("usage").ValueKind);
        AssertUpstreamChat(gateway, userMessage, stream: false);
    }

    [Theory]
    [InlineData("\"say hi\"", "say hi")]
    [InlineData("[\"first line\",\"second line\"]", "first line\nsecond line")]
    public async Task Stream_is_made_of_text_completion_chunks(string prompt, string userMessage)
    {
        await using var gateway = await Gateway.StartAsync(Scenario);

        var (status, body) = await PostAsync(gateway, $$"""{"model":"qwen3-coder-plus","prompt":{{prompt}},"max_tokens":7,"stream":true}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
        var text = new StringBuilder();
        string? finish = null;
        foreach (var data in Sse.Data(body).Where(d => d != "[DONE]"))
        {
            using var chunk = JsonDocument.Parse(data);
            Assert.Equal("text_completion", chunk.RootElement.GetProperty("object").GetString());
            foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
            {
                Assert.False(choice.TryGetProperty("delta", out _), data);
                text.Append(choice.GetProperty("text").GetString());
                if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String)
                {
                    finish = f.GetString();
                }
            }
        }

        Assert.Equal(EmulatorText.ForScenario(Scenario, 7), text.ToString());
        Assert.Equal("stop", finish);
        AssertUpstreamChat(gateway, userMessage, stream: true);
    }

    private static void AssertUpstreamChat(Gateway gateway, string userMessage, bool stream)
    {
        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal("/v1/chat/completions", record.Path);
        using var upstream = JsonDocument.Parse(record.Body);
        var message = Assert.Single(upstream.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal(userMessage, message.GetProperty("content").GetString());
        Assert.False(upstream.RootElement.TryGetProperty("prompt", out _));
        Assert.Equal(7, upstream.RootElement.GetProperty("max_tokens").GetInt32());
        Assert.Equal(stream, upstream.RootElement.GetProperty("stream").GetBoolean());
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(Gateway gateway, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
