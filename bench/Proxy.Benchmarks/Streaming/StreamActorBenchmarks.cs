using System.IO.Pipelines;
using System.Net;
using BenchmarkDotNet.Attributes;
using Proxy.Actors.Resilience;
using Proxy.Actors.Runtime;
using Proxy.Actors.Streaming;

namespace Proxy.Benchmarks.Streaming;

/// <summary>
/// Whole streams through the stream actor on the real runtime, with an in-memory upstream body and
/// a client that discards what it gets: spawn, open, pump, inspect, repair, frame, flush, [DONE],
/// stop. <c>FirstEventStream</c> (one event) bounds what the actor adds to time to first token;
/// <c>Stream256</c> is per event.
/// </summary>
[MemoryDiagnoser]
public class StreamActorBenchmarks : IDisposable
{
    private const int Events = 256;
    private ActorSystem _system = null!;
    private byte[] _one = [];
    private byte[] _many = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = new ActorSystem("bench");
        _one = BenchChunks.Sse(BenchChunks.Clean(BenchChunks.Deltas(1)));
        _many = BenchChunks.Sse(BenchChunks.Clean(BenchChunks.Deltas(Events)));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _system.StopAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public Task<StreamOutcome> FirstEventStream() => Run(_one);

    [Benchmark(OperationsPerInvoke = Events)]
    public Task<StreamOutcome> Stream256() => Run(_many);

    private Task<StreamOutcome> Run(byte[] body)
    {
        var job = new StreamJob(
            "bench",
            _ => Task.FromResult(UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) })),
            new DiscardingClient(),
            StreamOptions.Default,
            CancellationToken.None);
        return StreamActor.RunAsync(_system, job);
    }

    private sealed class DiscardingClient : IClientStream
    {
        public bool HasStarted { get; private set; }

        public PipeWriter Writer { get; } = PipeWriter.Create(Stream.Null);

        public void Start() => HasStarted = true;
    }
}
