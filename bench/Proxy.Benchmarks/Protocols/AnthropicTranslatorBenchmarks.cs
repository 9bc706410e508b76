using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Proxy.Actors.Streaming;
using Proxy.Benchmarks.Streaming;
using Proxy.Web.Protocols.Anthropic;

namespace Proxy.Benchmarks.Protocols;

/// <summary>
/// Per-event cost of turning the repaired chat stream into Anthropic Messages events, next to
/// framing the same chunk as chat SSE (the path without translation). 256 events per run; results
/// per event. <c>TextDelta</c> and <c>ToolArgumentsDelta</c> run on a translator whose message and
/// block are already open (steady state); <c>WholeStream</c> includes the translator's creation,
/// <c>message_start</c>, the block's start and stop and the closing events, spread over 256 events.
/// </summary>
[MemoryDiagnoser]
public class AnthropicTranslatorBenchmarks
{
    private const int Events = 256;
    private readonly ArrayBufferWriter<byte> _client = new(1024 * 1024);
    private byte[][] _text = [];
    private byte[][] _arguments = [];
    private AnthropicStreamTranslator _textTranslator = null!;
    private AnthropicStreamTranslator _toolTranslator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _text = BenchChunks.Clean(BenchChunks.Deltas(Events));
        _arguments = Enumerable.Range(0, Events)
            .Select(i => Encoding.UTF8.GetBytes($$$"""{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"path_{{{i}}}\": \"src/mo"}}]},"finish_reason":null}]}"""))
            .ToArray();
        _textTranslator = new AnthropicStreamTranslator(RandomAnthropicIds.Instance, "claude-sonnet-4-5", showThinking: true, inputEstimate: 1000);
        _textTranslator.WriteEvent(_text[0], _client);
        _toolTranslator = new AnthropicStreamTranslator(RandomAnthropicIds.Instance, "claude-sonnet-4-5", showThinking: true, inputEstimate: 1000);
        _toolTranslator.WriteEvent("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"Read","arguments":""}}]},"finish_reason":null}]}"""u8, _client);
        _client.ResetWrittenCount();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long ChatFraming()
    {
        _client.ResetWrittenCount();
        var writer = new SseFrameWriter(_client);
        foreach (var chunk in _text)
        {
            writer.WriteEvent(chunk);
        }

        return writer.BytesOut;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int TextDelta()
    {
        _client.ResetWrittenCount();
        foreach (var chunk in _text)
        {
            _textTranslator.WriteEvent(chunk, _client);
        }

        return _client.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int ToolArgumentsDelta()
    {
        _client.ResetWrittenCount();
        foreach (var chunk in _arguments)
        {
            _toolTranslator.WriteEvent(chunk, _client);
        }

        return _client.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public int WholeStream()
    {
        _client.ResetWrittenCount();
        var translator = new AnthropicStreamTranslator(RandomAnthropicIds.Instance, "claude-sonnet-4-5", showThinking: true, inputEstimate: 1000);
        foreach (var chunk in _text)
        {
            translator.WriteEvent(chunk, _client);
        }

        translator.WriteDone(_client);
        return _client.WrittenCount;
    }
}
