using System.Text.Json;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class ChatShapeTests
{
    [Fact]
    public async Task Stream_has_openai_chunk_shape_and_the_seeds_text()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Seed = 5);

        var view = new StreamView(await emulator.StreamAsync(model: "qwen3-coder-flash"));

        Assert.True(view.EndsWithDone);
        Assert.Equal(8, view.Chunks.Count);
        Assert.All(view.Chunks, chunk =>
        {
            Assert.Equal("chatcmpl-emu-1", chunk.GetProperty("id").GetString());
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal(TestEmulator.CreatedAt, chunk.GetProperty("created").GetInt64());
            Assert.Equal("qwen3-coder-flash", chunk.GetProperty("model").GetString());
            Assert.Equal(0, chunk.GetProperty("choices")[0].GetProperty("index").GetInt32());
        });
        Assert.Equal("assistant", view.Deltas.First().GetProperty("role").GetString());
        Assert.Single(view.Deltas, d => d.TryGetProperty("role", out _));
        Assert.Equal([null, null, null, null, null, null, null, "stop"], view.FinishReasons);
        Assert.Equal(EmulatorText.For(5, 8, 6), view.Content);
        Assert.Equal(48, view.Content.Length);
    }

    [Fact]
    public async Task Non_streaming_answer_is_a_chat_completion_with_usage()
    {
        await using var emulator = await TestEmulator.StartAsync();
        const string body = """{"model":"coder-model","messages":[{"role":"user","content":"hi"}]}""";

        var (response, text) = await emulator.ChatAsync(body, scenario: "chunks=3;chunk_chars=10");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal("chat.completion", json.GetProperty("object").GetString());
        Assert.Equal("coder-model", json.GetProperty("model").GetString());
        var choice = json.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal(EmulatorText.For(42, 3, 10), choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var usage = json.GetProperty("usage");
        Assert.Equal((body.Length + 3) / 4, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + 8, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Model_is_echoed_exactly_as_sent_even_with_escapes()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (_, text) = await emulator.ChatAsync("""{"model":"odd\"model\u00e9","stream":true}""", scenario: "chunks=1");

        Assert.Contains("\"model\":\"odd\\\"model\\u00e9\",", text);
        Assert.Equal("odd\"modelé", new StreamView(text).Chunks[0].GetProperty("model").GetString());
    }

    [Fact]
    public async Task Missing_model_answers_as_qwen3_coder_plus()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (_, text) = await emulator.ChatAsync("""{"messages":[]}""");

        Assert.Equal("qwen3-coder-plus", JsonDocument.Parse(text).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Compatible_mode_path_is_an_alias()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, _) = await emulator.ChatAsync("{}", path: "/compatible-mode/v1/chat/completions");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/compatible-mode/v1/chat/completions", emulator.State.Requests.Single().Path);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"model\":\"x\"} trailing")]
    public async Task Body_that_is_not_one_json_object_is_400(string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, text) = await emulator.ChatAsync(body);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("""{"error":{"message":"The request body is not valid JSON.","type":"invalid_request_error","param":null,"code":"invalid_json"}}""", text);
    }

    [Fact]
    public async Task Request_ids_count_up_per_request()
    {
        await using var emulator = await TestEmulator.StartAsync();

        await emulator.ChatAsync("{}");
        var (_, second) = await emulator.ChatAsync("{}");

        Assert.Equal("chatcmpl-emu-2", JsonDocument.Parse(second).RootElement.GetProperty("id").GetString());
        Assert.Equal(2, emulator.State.ChatRequestCount);
    }
}
