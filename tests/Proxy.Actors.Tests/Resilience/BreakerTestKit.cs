using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Support;

namespace Proxy.Actors.Tests.Resilience;

/// <summary>A breaker on virtual time with stand-in streams, and ways to wait for it without sleeping.</summary>
public abstract class BreakerTestKit : Akka.TestKit.Xunit2.TestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    internal static readonly BreakerOptions Options = new()
    {
        MaxFailures = 3,
        MinimumThroughput = 3,
        FailureRatio = 0.5,
        FailureWindow = TimeSpan.FromSeconds(60),
        BaseOpenDelay = TimeSpan.FromSeconds(5),
        MaxOpenDelay = TimeSpan.FromMinutes(5),
        TrialTimeout = TimeSpan.FromMinutes(16),
        Randomizer = () => 0.5,
    };

    private protected BreakerTestKit(Xunit.Abstractions.ITestOutputHelper? output = null)
        : base(AkkaClock.Hocon, output)
    {
        Clock = new AkkaClock(Sys);
        Streams = CreateTestProbe();
    }

    internal AkkaClock Clock { get; }

    /// <summary>Each stand-in stream tells this probe its address when it starts.</summary>
    internal Akka.TestKit.TestProbe Streams { get; }

    internal CircuitBreaker Breaker { get; private set; } = null!;

    internal void StartBreaker(BreakerOptions? options = null, ResilienceMetrics? metrics = null, string account = "acct")
    {
        Breaker = new CircuitBreaker(account, Clock.Time, options ?? Options);
        var streams = Streams.Ref;
        Breaker.Start(Sys, _ => Props.Create(() => new TestStream(streams)), NullLogger.Instance, metrics);
    }

    /// <summary>The snapshot after the breaker handled everything sent so far.</summary>
    internal Task<BreakerSnapshot> Settled() => Breaker.GetSnapshotAsync(Patience, CancellationToken.None);

    internal async Task<BreakerSnapshot> Report(params FailureKind[] outcomes)
    {
        var epoch = (await Settled()).Epoch;
        foreach (var outcome in outcomes)
        {
            Breaker.ReportOutcome(outcome, epoch);
        }

        return await Settled();
    }

    internal async Task<BreakerSnapshot> Advance(TimeSpan by)
    {
        Clock.Advance(by);
        return await Settled();
    }

    internal async Task<BreakerSnapshot> OpenIt()
    {
        var snapshot = await Report(Enumerable.Repeat(FailureKind.UpstreamServerError, Options.MaxFailures).ToArray());
        Assert.Equal(CircuitState.Open, snapshot.State);
        return snapshot;
    }

    internal async Task<BreakerSnapshot> HalfOpenIt()
    {
        var open = await OpenIt();
        var snapshot = await Advance(open.TrialAt!.Value - Clock.Time.GetUtcNow());
        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
        return snapshot;
    }

    /// <summary>Starts a stand-in stream under the breaker; returns its address and its outcome.</summary>
    internal (IActorRef Stream, Task<StreamOutcome> Outcome) StartStream(long epoch)
    {
        var outcome = Breaker.RunStream(Job("s"), epoch);
        var stream = Streams.ExpectMsg<IActorRef>(Patience);
        return (stream, outcome);
    }

    internal static StreamJob Job(string name) =>
        new(name, _ => throw new InvalidOperationException("a stand-in stream never calls the upstream"), NoClient.Instance, StreamOptions.Default, CancellationToken.None);

    internal static StreamOutcome Outcome(FailureKind failure, bool started = true) =>
        new(failure, started, 200, null, null, null, 0, 0, null, 0, 0, 1);

    private sealed class NoClient : IClientStream
    {
        public static readonly NoClient Instance = new();

        public bool HasStarted => false;

        public System.IO.Pipelines.PipeWriter Writer => throw new InvalidOperationException("no response");

        public void Start()
        {
        }
    }
}

/// <summary>Tells the stand-in stream to report <paramref name="Outcome"/> to its parent and stop.</summary>
internal sealed record Finish(StreamOutcome Outcome);

/// <summary>Tells the stand-in stream to throw.</summary>
internal sealed record Crash;

/// <summary>A stand-in for the stream actor: reports what it is told, or throws.</summary>
internal sealed class TestStream : ReceiveActor
{
    public TestStream(IActorRef announce)
    {
        announce.Tell(Self);
        Receive<Finish>(finish =>
        {
            Context.Parent.Tell(new StreamEnded(finish.Outcome));
            Context.Stop(Self);
        });
        Receive<Crash>(_ => throw new InvalidOperationException("stream crashed"));
    }
}
