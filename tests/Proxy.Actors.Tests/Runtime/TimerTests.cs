using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class TimerTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task A_single_timer_delivers_once_when_due_and_is_then_inactive()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "tick", Second)));
        actor.Tell(Do.Sync(c => probe.Tell(c.Timers.IsTimerActive("t"))));
        Assert.Equal(true, probe.ExpectMsg<object>());
        _time.Advance(Second - TimeSpan.FromTicks(1));
        actor.Tell("before");
        Assert.Equal("before", probe.ExpectMsg<object>());

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("tick", probe.ExpectMsg<object>());
        actor.Tell(Do.Sync(c => probe.Tell(c.Timers.IsTimerActive("t"))));
        Assert.Equal(false, probe.ExpectMsg<object>());
        _time.Advance(TimeSpan.FromMinutes(1));
        actor.Tell("after");
        Assert.Equal("after", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task A_tick_already_queued_is_delivered_when_nothing_cancels_it()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");
        var gate = new Gate();

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "tick", Second)));
        actor.Tell(gate.Hold());
        await gate.Entered;
        _time.Advance(Second);
        gate.Release();
        actor.Tell("ping");

        Assert.Equal("tick", probe.ExpectMsg<object>());
        Assert.Equal("ping", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task A_timer_cancelled_after_its_tick_was_queued_never_delivers()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");
        var gate = new Gate();

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "tick", Second)));
        actor.Tell(gate.Hold(c => c.Timers.Cancel("t")));
        await gate.Entered;
        _time.Advance(Second);
        gate.Release();
        actor.Tell("ping");

        Assert.Equal("ping", probe.ExpectMsg<object>());
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task A_timer_replaced_under_the_same_key_after_its_tick_was_queued_delivers_only_the_new_message()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");
        var gate = new Gate();

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "old", Second)));
        actor.Tell(gate.Hold(c => c.Timers.StartSingleTimer("t", "new", Second)));
        await gate.Entered;
        _time.Advance(Second);
        gate.Release();
        actor.Tell("ping");
        Assert.Equal("ping", probe.ExpectMsg<object>());

        _time.Advance(Second);
        Assert.Equal("new", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task A_periodic_timer_ticks_every_interval_and_its_queued_ticks_die_with_it()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");
        var gate = new Gate();

        actor.Tell(Do.Sync(c => c.Timers.StartPeriodicTimer("p", "tick", TimeSpan.FromSeconds(5), Second)));
        actor.Tell("started");
        Assert.Equal("started", probe.ExpectMsg<object>());
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("tick", probe.ExpectMsg<object>());
        _time.Advance(Second);
        Assert.Equal("tick", probe.ExpectMsg<object>());

        actor.Tell(gate.Hold(c => c.Timers.Cancel("p")));
        await gate.Entered;
        _time.Advance(TimeSpan.FromSeconds(3));
        gate.Release();
        actor.Tell("ping");
        Assert.Equal("ping", probe.ExpectMsg<object>());

        _time.Advance(TimeSpan.FromSeconds(10));
        actor.Tell("pong");
        Assert.Equal("pong", probe.ExpectMsg<object>());
        Assert.Equal(0, _time.ActiveTimerCount);
    }

    [Fact]
    public async Task Stopping_an_actor_cancels_its_timers()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");

        actor.Tell(Do.Sync(c =>
        {
            c.Timers.StartSingleTimer("a", "a", Second);
            c.Timers.StartPeriodicTimer("b", "b", Second);
            probe.Tell(_time.ActiveTimerCount);
            c.Stop();
        }));
        Assert.Equal(2, probe.ExpectMsg<object>());
        await actor.WhenStopped();

        Assert.Equal(0, _time.ActiveTimerCount);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task A_restart_cancels_the_timers_of_the_failed_instance()
    {
        await using var system = new ActorSystem("timers", _time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "timed");
        var gate = new Gate();

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "tick", Second)));
        actor.Tell(gate.Hold(_ => throw new InvalidOperationException("boom")));
        await gate.Entered;
        _time.Advance(Second);
        gate.Release();
        actor.Tell("ping");

        Assert.Equal("ping", probe.ExpectMsg<object>());
        Assert.Equal(0, _time.ActiveTimerCount);
    }
}
