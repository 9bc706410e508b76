using System.Buffers;
using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using Proxy.Actors.Streaming;

namespace Proxy.Benchmarks.Streaming;

/// <summary>
/// The whole per-event path of a stream without the network: parse the upstream SSE body with
/// SseParser into pooled payload copies, inspect, repair (steady state), frame as SSE into the
/// client buffer, give the copy back. 256 events per run; results per event.
/// </summary>
[MemoryDiagnoser]
public class SsePathBenchmarks
{
    private const int Events = 256;
    private readonly ArrayBufferWriter<byte> _client = new(256 * 1024);
    private byte[] _body = [];
    private StutterRepair _repair = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = BenchChunks.Sse(BenchChunks.Clean(BenchChunks.Deltas(Events)));
        _repair = new StutterRepair();
        var warm = new SseFrameWriter(_client);
        foreach (var payload in BenchChunks.Clean(BenchChunks.Deltas(64, seed: 3)))
        {
            ChunkInspector.TryInspect(payload, out var info);
            _repair.Process(payload, info, TimeSpan.Zero, warm);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> ParseRepairWrite()
    {
        _client.ResetWrittenCount();
        var writer = new SseFrameWriter(_client);
        using var body = new MemoryStream(_body, writable: false);
        await foreach (var item in SseParser.Create(body, EventBytes.Parse).EnumerateAsync())
        {
            var data = item.Data;
            if (data.IsDone)
            {
                writer.WriteDone();
                break;
            }

            var payload = data.Array.AsSpan(0, data.Length);
            if (ChunkInspector.TryInspect(payload, out var info))
            {
                _repair.Process(payload, info, TimeSpan.Zero, writer);
            }

            data.Return();
        }

        return writer.BytesOut;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<long> ParseOnly()
    {
        long bytes = 0;
        using var body = new MemoryStream(_body, writable: false);
        await foreach (var item in SseParser.Create(body, EventBytes.Parse).EnumerateAsync())
        {
            bytes += item.Data.Length;
            item.Data.Return();
        }

        return bytes;
    }
}
