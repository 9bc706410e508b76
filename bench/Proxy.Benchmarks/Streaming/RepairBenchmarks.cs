using BenchmarkDotNet.Attributes;
using Proxy.Actors.Streaming;

namespace Proxy.Benchmarks.Streaming;

/// <summary>
/// Cost per event of inspecting a chunk (Utf8JsonReader) and passing it through the stutter repair,
/// for typical 5-20 byte deltas. Results are per event (OperationsPerInvoke).
/// <list type="bullet">
/// <item>NormalFlow: a stream past its start, events go through untouched (the steady state).</item>
/// <item>CleanStart: a whole 32-event clean stream from a new repair, watching its start.</item>
/// <item>Stuttering: a whole 32-event snapshot stream from a new repair, every event cut to its delta.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class RepairBenchmarks
{
    private const int StreamEvents = 32;
    private const int FlowEvents = 1024;
    private readonly CountingSink _sink = new();
    private byte[][] _flow = [];
    private byte[][] _clean = [];
    private byte[][] _cumulative = [];
    private StutterRepair _passThrough = null!;

    [GlobalSetup]
    public void Setup()
    {
        _flow = BenchChunks.Clean(BenchChunks.Deltas(FlowEvents));
        _clean = BenchChunks.Clean(BenchChunks.Deltas(StreamEvents, seed: 7));
        _cumulative = BenchChunks.Cumulative(BenchChunks.Deltas(StreamEvents, seed: 7));
        _passThrough = new StutterRepair();
        foreach (var payload in _flow)
        {
            Process(_passThrough, payload, TimeSpan.Zero);
        }

        if (_passThrough.Mode != RepairMode.PassThrough)
        {
            throw new InvalidOperationException("The warm-up stream should have left the watching phase.");
        }
    }

    [Benchmark(OperationsPerInvoke = FlowEvents)]
    public int NormalFlow()
    {
        foreach (var payload in _flow)
        {
            Process(_passThrough, payload, TimeSpan.Zero);
        }

        return _sink.Count;
    }

    [Benchmark(OperationsPerInvoke = StreamEvents)]
    public int CleanStart() => RunStream(_clean);

    [Benchmark(OperationsPerInvoke = StreamEvents)]
    public int Stuttering() => RunStream(_cumulative);

    private int RunStream(byte[][] payloads)
    {
        var repair = new StutterRepair();
        var now = TimeSpan.Zero;
        foreach (var payload in payloads)
        {
            now += TimeSpan.FromMilliseconds(20);
            Process(repair, payload, now);
        }

        repair.Complete(_sink);
        return repair.Repairs;
    }

    private void Process(StutterRepair repair, byte[] payload, TimeSpan now)
    {
        if (ChunkInspector.TryInspect(payload, out var info))
        {
            repair.Process(payload, info, now, _sink);
        }
    }

    private sealed class CountingSink : IEventSink
    {
        public int Count { get; private set; }

        public void WriteEvent(ReadOnlySpan<byte> payload) => Count += payload.Length > 0 ? 1 : 0;
    }
}
