using Proxy.Actors.Resilience;
using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Resilience;

/// <summary>A breaker on virtual time with test streams, and ways to wait for it without sleeping.</summary>
internal sealed class BreakerTestKit : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static readonly BreakerOptions Options = new()
    {
        MaxFailures = 3,
        FailureWindow = TimeSpan.FromSeconds(60),
        BaseOpenDelay = TimeSpan.FromSeconds(5),
        MaxOpenDelay = TimeSpan.FromMinutes(5),
        TrialTimeout = TimeSpan.FromMinutes(16),
        Randomizer = () => 0.5,
    };

    public BreakerTestKit(BreakerOptions? options = null, ResilienceMetrics? metrics = null)
    {
        Time = new ManualTimeProvider();
        System = new ActorSystem("test", Time);
        Breaker = CircuitBreaker<StreamJob, StreamCommand>.Start(System, "acct", options ?? Options, TestStream.Factory, metrics);
    }

    public ManualTimeProvider Time { get; }

    public ActorSystem System { get; }

    public CircuitBreaker<StreamJob, StreamCommand> Breaker { get; }

    /// <summary>The snapshot after the breaker handled everything sent so far.</summary>
    public Task<BreakerSnapshot> Settled() => Breaker.GetSnapshotAsync(Timeout.InfiniteTimeSpan, CancellationToken.None).WaitAsync(Patience);

    public async Task<BreakerSnapshot> Report(params FailureKind[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Breaker.ReportOutcome(outcome, Breaker.Snapshot.Epoch);
        }

        return await Settled();
    }

    public async Task<BreakerSnapshot> Advance(TimeSpan by)
    {
        Time.Advance(by);
        return await Settled();
    }

    public async Task<BreakerSnapshot> OpenIt()
    {
        var snapshot = await Report(Enumerable.Repeat(FailureKind.UpstreamServerError, Options.MaxFailures).ToArray());
        Assert.Equal(CircuitState.Open, snapshot.State);
        return snapshot;
    }

    public async Task<BreakerSnapshot> HalfOpenIt()
    {
        var open = await OpenIt();
        var snapshot = await Advance(open.TrialAt!.Value - Time.GetUtcNow());
        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
        return snapshot;
    }

    public ValueTask DisposeAsync() => System.DisposeAsync();
}

internal static class ActorRefWaits
{
    /// <summary>Completes once the actor has fully stopped and its watchers were told.</summary>
    public static Task WhenStopped(this IActorRef actor) => ((ActorCellBase)actor).Terminated.WaitAsync(BreakerTestKit.Patience);
}

internal sealed record StreamJob(string Name);

internal abstract record StreamCommand;

/// <summary>Tells the test stream to report <paramref name="Outcome"/> and stop.</summary>
internal sealed record Finish(FailureKind Outcome) : StreamCommand;

/// <summary>Tells the test stream to throw.</summary>
internal sealed record Crash : StreamCommand;

/// <summary>A stand-in for the stream actor: reports what it is told, or crashes.</summary>
internal sealed class TestStream(Action<FailureKind> onCompleted) : Actor<StreamCommand>
{
    public static Func<Actor<StreamCommand>> Factory(StreamJob job, Action<FailureKind> onCompleted) => () => new TestStream(onCompleted);

    protected override ValueTask Receive(StreamCommand message)
    {
        switch (message)
        {
            case Finish finish:
                onCompleted(finish.Outcome);
                Context.Stop();
                break;
            case Crash:
                throw new InvalidOperationException("stream crashed");
        }

        return default;
    }
}
