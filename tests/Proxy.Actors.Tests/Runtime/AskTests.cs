using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class AskTests
{
    [Fact]
    public async Task Ask_returns_the_value_the_actor_replies_with()
    {
        await using var system = new ActorSystem("ask");
        IActorRef<IAskMessage> echo = system.Spawn(() => new EchoActor(), "echo");

        string answer = await echo.Ask<IAskMessage, string>(r => new Echo("hello", r), TimeSpan.FromSeconds(5));

        Assert.Equal("echo: hello", answer);
    }

    [Fact]
    public async Task Ask_relays_the_failure_the_actor_replies_with()
    {
        await using var system = new ActorSystem("ask");
        IActorRef<IAskMessage> echo = system.Spawn(() => new EchoActor(), "echo");

        var error = await Assert.ThrowsAsync<FormatException>(
            () => echo.Ask<IAskMessage, string>(r => new Fail("bad input", r), TimeSpan.FromSeconds(5)));

        Assert.Equal("bad input", error.Message);
    }

    [Fact]
    public async Task Ask_without_reply_fails_with_AskTimeoutException_exactly_at_the_timeout_in_virtual_time()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("ask", time);
        IActorRef<IAskMessage> hoarder = system.Spawn(() => new EchoActor(), "hoarder");

        Task<string> ask = hoarder.Ask<IAskMessage, string>(r => new Keep(r), TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        Assert.False(ask.IsCompleted);
        time.Advance(TimeSpan.FromTicks(1));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => ask.Within());
        Assert.Contains("ask/user/hoarder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_after_the_timeout_is_refused_and_the_reply_reads_completed()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("ask", time);
        var probe = new TestProbe<bool>(system);
        IActorRef<IAskMessage> hoarder = system.Spawn(() => new EchoActor(probe), "hoarder");

        Task<string> ask = hoarder.Ask<IAskMessage, string>(r => new Keep(r), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => ask.Within());
        hoarder.Tell(new AnswerKept("late"));

        Assert.True(probe.ExpectMsg<bool>(), "IsCompleted before answering");
        Assert.False(probe.ExpectMsg<bool>(), "TrySuccess after the timeout");
    }

    [Fact]
    public async Task Ask_cancelled_by_the_caller_throws_OperationCanceledException()
    {
        await using var system = new ActorSystem("ask");
        IActorRef<IAskMessage> hoarder = system.Spawn(() => new EchoActor(), "hoarder");
        using var cts = new CancellationTokenSource();

        Task<string> ask = hoarder.Ask<IAskMessage, string>(r => new Keep(r), Timeout.InfiniteTimeSpan, cts.Token);
        Assert.False(ask.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask.Within());
    }

    [Fact]
    public async Task Ask_to_a_stopped_actor_fails_with_ActorStoppedException_at_once()
    {
        await using var system = new ActorSystem("ask");
        IActorRef<IAskMessage> echo = system.Spawn(() => new EchoActor(), "echo");
        echo.Tell(new StopNow());
        await echo.WhenStopped();

        await Assert.ThrowsAsync<ActorStoppedException>(
            () => echo.Ask<IAskMessage, string>(r => new Echo("anyone?", r), Timeout.InfiniteTimeSpan));
        Assert.True(echo.IsStopped);
    }

    [Fact]
    public async Task Ask_the_actor_kept_without_answering_fails_with_ActorStoppedException_when_it_stops()
    {
        await using var system = new ActorSystem("ask");
        IActorRef<IAskMessage> hoarder = system.Spawn(() => new EchoActor(), "hoarder");

        Task<string> kept = hoarder.Ask<IAskMessage, string>(r => new Keep(r), Timeout.InfiniteTimeSpan);
        Task<string> queued = hoarder.Ask<IAskMessage, string>(r => new Keep(r), Timeout.InfiniteTimeSpan);
        hoarder.Tell(new StopNow());

        await Assert.ThrowsAsync<ActorStoppedException>(() => kept.Within());
        await Assert.ThrowsAsync<ActorStoppedException>(() => queued.Within());
    }

    [Fact]
    public async Task Ask_queued_behind_a_stop_fails_with_ActorStoppedException()
    {
        await using var system = new ActorSystem("ask");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef<IAskMessage> busy = system.Spawn(() => new EchoActor(gate: gate.Task, entered: entered), "busy");

        busy.Tell(new Block());
        await entered.Task.Within();
        Task<string> ask = busy.Ask<IAskMessage, string>(r => new Echo("too late", r), Timeout.InfiniteTimeSpan);
        ((ActorCellBase)busy).RequestStop();
        gate.SetResult();

        await Assert.ThrowsAsync<ActorStoppedException>(() => ask.Within());
        Assert.Equal(1, system.DeadLetterCount);
    }

    private interface IAskMessage;

    private sealed record Echo(string Text, Reply<string> Reply) : IAskMessage;

    private sealed record Fail(string Why, Reply<string> Reply) : IAskMessage;

    private sealed record Keep(Reply<string> Reply) : IAskMessage;

    private sealed record AnswerKept(string Text) : IAskMessage;

    private sealed record Block : IAskMessage;

    private sealed record StopNow : IAskMessage;

    private sealed class EchoActor : Actor<IAskMessage>
    {
        private readonly List<Reply<string>> _kept = [];
        private readonly TestProbe<bool>? _probe;
        private readonly Task? _gate;
        private readonly TaskCompletionSource? _entered;

        public EchoActor(TestProbe<bool>? probe = null, Task? gate = null, TaskCompletionSource? entered = null)
        {
            _probe = probe;
            _gate = gate;
            _entered = entered;
        }

        protected override async ValueTask Receive(IAskMessage message)
        {
            switch (message)
            {
                case Echo echo:
                    echo.Reply.TrySuccess("echo: " + echo.Text);
                    break;
                case Fail fail:
                    fail.Reply.TryFailure(new FormatException(fail.Why));
                    break;
                case Keep keep:
                    _kept.Add(keep.Reply);
                    break;
                case AnswerKept answer:
                    foreach (Reply<string> reply in _kept)
                    {
                        _probe?.Tell(reply.IsCompleted);
                        _probe?.Tell(reply.TrySuccess(answer.Text));
                    }

                    break;
                case Block:
                    _entered?.SetResult();
                    await _gate!;
                    break;
                case StopNow:
                    Context.Stop();
                    break;
            }
        }
    }
}
