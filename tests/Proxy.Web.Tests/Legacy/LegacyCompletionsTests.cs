using Proxy.Web.Legacy;

namespace Proxy.Web.Tests.Legacy;

public sealed class LegacyCompletionsTests
{
    private static string ToChat(string body)
    {
        Assert.True(LegacyCompletions.TryToChatRequest(Encoding.UTF8.GetBytes(body), out var chat, out var error), error?.Message);
        return Encoding.UTF8.GetString(chat);
    }

    private static string Fail(string body)
    {
        Assert.False(LegacyCompletions.TryToChatRequest(Encoding.UTF8.GetBytes(body), out _, out var error));
        return error.Message;
    }

    private static string Text(Func<byte[], byte[]> translate, string json) => Encoding.UTF8.GetString(translate(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_string_prompt_becomes_one_user_message_in_place()
    {
        Assert.Equal(
            """{"model":"qwen3-coder-plus", "messages":[{"role":"user","content":"Write \"hi\" \ud83d\ude00\n"}], "temperature":0, "suffix":"x", "echo":false, "max_tokens":7, "x_unknown":[1,{"a":null}]}""",
            ToChat("""{"model":"qwen3-coder-plus", "prompt" : "Write \"hi\" \ud83d\ude00\n", "temperature":0, "suffix":"x", "echo":false, "max_tokens":7, "x_unknown":[1,{"a":null}]}"""));
    }

    [Fact]
    public void An_array_prompt_is_joined_with_newlines()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"line one\nline \"two\" \uD83D\uDE00"}],"stream":true,"stream_options":{"include_usage":true}}""",
            ToChat("""{"prompt":["line one","line \"two\" \ud83d\ude00"],"stream":true,"stream_options":{"include_usage":true}}"""));
    }

    [Theory]
    [InlineData("", "The request body is empty; send a JSON object with 'model' and 'prompt'.")]
    [InlineData("[]", "The request body must be a JSON object.")]
    [InlineData("""{"model":"m"}""", "'prompt' is required.")]
    [InlineData("""{"prompt":null}""", "'prompt' must be a string or an array of strings.")]
    [InlineData("""{"prompt":[1,2,3]}""", "'prompt' must be a string or an array of strings (token ids are not supported).")]
    [InlineData("""{"prompt":[]}""", "'prompt' must not be an empty array.")]
    [InlineData("""{"prompt":"a","prompt":"b"}""", "'prompt' appears more than once.")]
    [InlineData("""{"prompt":"a","messages":[]}""", "'messages' belongs to /v1/chat/completions; /v1/completions takes 'prompt'.")]
    public void Bad_legacy_requests_say_what_is_wrong(string body, string message)
    {
        Assert.Equal(message, Fail(body));
    }

    [Fact]
    public void Invalid_legacy_json_is_reported()
    {
        Assert.StartsWith("The request body is not valid JSON: ", Fail("""{"prompt":"a" """));
    }

    [Fact]
    public void A_chat_completion_becomes_a_text_completion()
    {
        const string chat = """
            {"id":"chatcmpl-123","object":"chat.completion","created":1753142400,"model":"qwen3-coder-plus",
             "system_fingerprint":"fp_1",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there","reasoning_content":"hmm"},"logprobs":null,"finish_reason":"stop"},
                        {"index":1,"message":{"role":"assistant","content":null,"tool_calls":[]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}
            """;

        Assert.Equal(
            """{"id":"chatcmpl-123","object":"text_completion","created":1753142400,"model":"qwen3-coder-plus","system_fingerprint":"fp_1",""" +
            """ "choices":[{"text":"Hello there","index":0,"logprobs":null,"finish_reason":"stop"},{"text":"","index":1,"logprobs":null,"finish_reason":"tool_calls"}],""".TrimStart() +
            """ "usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""".TrimStart(),
            Text(b => LegacyCompletions.ToTextCompletion(b), chat));
    }

    [Fact]
    public void Stream_chunks_become_text_completion_chunks()
    {
        Assert.Equal(
            """{"id":"c1","object":"text_completion","created":1,"model":"m","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":null}]}""",
            Text(b => LegacyCompletions.ToTextCompletionChunk(b), """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"""));
        Assert.Equal(
            """{"id":"c1","object":"text_completion","created":1,"model":"m","choices":[{"text":"Hel\"lo","index":0,"logprobs":null,"finish_reason":null}]}""",
            Text(b => LegacyCompletions.ToTextCompletionChunk(b), """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel\"lo"}}]}"""));
        Assert.Equal(
            """{"id":"c1","object":"text_completion","created":1,"model":"m","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}]}""",
            Text(b => LegacyCompletions.ToTextCompletionChunk(b), """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"""));
    }

    [Fact]
    public void The_usage_chunk_keeps_its_usage_and_empty_choices()
    {
        Assert.Equal(
            """{"id":"c1","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}""",
            Text(b => LegacyCompletions.ToTextCompletionChunk(b), """{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"""));
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom","type":"upstream_error","param":null,"code":null}}""")]
    [InlineData("[DONE]")]
    [InlineData("not json")]
    public void Errors_and_non_chunks_pass_through_unchanged(string data)
    {
        Assert.Equal(data, Text(b => LegacyCompletions.ToTextCompletionChunk(b), data));
    }
}
