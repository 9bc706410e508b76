using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

/// <summary>Exact bytes of a few streams. A change here changes what every proxy test sees: review it.</summary>
public sealed class GoldenTranscriptTests
{
    [Fact]
    public async Task Clean_stream_with_a_fixed_seed_is_exactly_this_transcript()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("seed=7;chunks=3;chunk_chars=5");

        Assert.Equal(Transcript(
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"role":"assistant","content":"the\n="},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"> in "},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"i++ x"},"finish_reason":"stop"}]}""",
            """[DONE]"""), body);
    }

    [Fact]
    public async Task Cumulative_3_stream_is_exactly_this_transcript()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("seed=7;chunks=5;chunk_chars=4;stutter=cumulative:3");

        Assert.Equal(Transcript(
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"role":"assistant","content":"the\n"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"the\n=> i"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"the\n=> in i+"},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"+ x "},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"= 1;"},"finish_reason":"stop"}]}""",
            """[DONE]"""), body);
    }

    [Fact]
    public async Task Parallel_tool_calls_stream_is_exactly_this_transcript()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("seed=7;chunks=0;tools=2;chunk_chars=24");

        Assert.Equal(Transcript(
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_2750b94df89f81a470815b0b","type":"function","function":{"name":"read_file","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":\"src/module_0.cs"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\",\"line\":174,\"pattern\":\""}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"42\",\"options\":{\"recursiv"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"e\":true,\"limit\":26}}"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_0cf15a1713c8cc43741b1eee","type":"function","function":{"name":"search_code","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"path\":\"src/module_1.cs"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\",\"line\":260,\"pattern\":\""}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"drops\",\"options\":{\"recur"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"sive\":false,\"limit\":70}}"}}]},"finish_reason":"tool_calls"}]}""",
            """[DONE]"""), body);
    }

    [Fact]
    public async Task Include_usage_stream_is_exactly_this_transcript()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("seed=7;chunks=2;chunk_chars=5", includeUsage: true);

        Assert.Equal(Transcript(
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"role":"assistant","content":"the\n="},"finish_reason":null}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"content":"> in "},"finish_reason":"stop"}]}""",
            """{"id":"chatcmpl-emu-1","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[],"usage":{"prompt_tokens":32,"completion_tokens":3,"total_tokens":35}}""",
            """[DONE]"""), body);
    }

    private static string Transcript(params string[] payloads) => string.Concat(payloads.Select(p => "data: " + p + "\n\n"));
}
