using System.IO.Pipelines;
using System.Net;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;

namespace Proxy.Benchmarks.Streaming;

/// <summary>
/// Whole streams through the stream actor under its breaker on Akka.NET, with an in-memory upstream
/// body and a client that discards what it gets: the start told to the breaker, spawn, open, read,
/// inspect, repair, frame, flush, [DONE], the outcome reported, stop. <c>FirstEventStream</c> (one event) bounds what the actor adds to time to first token;
/// <c>Stream256</c> is per event.
/// </summary>
[MemoryDiagnoser]
public class StreamActorBenchmarks : IDisposable
{
    private const int Events = 256;
    private ActorSystem _system = null!;
    private CircuitBreaker _breaker = null!;
    private byte[] _one = [];
    private byte[] _many = [];

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", "akka.loglevel = WARNING");
        _breaker = new CircuitBreaker("bench", TimeProvider.System, new BreakerOptions());
        _breaker.Start(_system, job => StreamActor.Props(job, TimeProvider.System, NullLogger.Instance), NullLogger.Instance);
        _one = BenchChunks.Sse(BenchChunks.Clean(BenchChunks.Deltas(1)));
        _many = BenchChunks.Sse(BenchChunks.Clean(BenchChunks.Deltas(Events)));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _system.Terminate().GetAwaiter().GetResult();
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
        return _breaker.RunStream(job, _breaker.Snapshot.Epoch);
    }

    private sealed class DiscardingClient : IClientStream
    {
        public bool HasStarted { get; private set; }

        public PipeWriter Writer { get; } = PipeWriter.Create(Stream.Null);

        public void Start() => HasStarted = true;
    }
}
