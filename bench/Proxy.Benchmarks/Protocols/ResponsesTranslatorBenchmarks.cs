using System.Buffers;
using BenchmarkDotNet.Attributes;
using Proxy.Benchmarks.Streaming;
using Proxy.Web.Legacy;
using Proxy.Web.Protocols.Responses;

namespace Proxy.Benchmarks.Protocols;

/// <summary>
/// Per-event cost of turning the chat stream into Responses events (a whole stream of
/// <see cref="Events"/> Qwen-shaped content chunks, its opening and closing events included, divided
/// by the chunk count), next to the legacy <c>text_completion</c> translation.
/// </summary>
[MemoryDiagnoser]
public class ResponsesTranslatorBenchmarks
{
    private const int Events = 256;

    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private byte[][] _chunks = [];
    private ResponsesProtocol _protocol = null!;

    [GlobalSetup]
    public void Setup()
    {
        _chunks = BenchChunks.Clean(BenchChunks.Deltas(Events));
        if (!ResponsesRequestTranslator.TryTranslate("""{"model":"qwen3-coder-plus","input":"hi","stream":true,"store":false}"""u8, out var request, out _))
        {
            throw new InvalidOperationException("the benchmark's request did not translate");
        }

        _protocol = new ResponsesProtocol(request.Echo, new FixedIds(), TimeProvider.System);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public void Legacy()
    {
        _output.ResetWrittenCount();
        var translator = LegacyProtocol.Instance.CreateStreamTranslator();
        foreach (var chunk in _chunks)
        {
            translator.WriteEvent(chunk, _output);
        }

        translator.WriteDone(_output);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void Responses()
    {
        _output.ResetWrittenCount();
        var translator = _protocol.CreateStreamTranslator();
        foreach (var chunk in _chunks)
        {
            translator.WriteEvent(chunk, _output);
        }

        translator.WriteDone(_output);
    }

    /// <summary>Ids without the cost of random ones, so the figure is the translation's.</summary>
    private sealed class FixedIds : IResponseIds
    {
        public string Next(string prefix) => prefix + "0123456789abcdef";
    }
}
