using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class MailboxTests
{
    [Fact]
    public async Task SendAsync_on_a_full_bounded_mailbox_waits_until_the_actor_takes_a_message()
    {
        await using var system = new ActorSystem("mailbox");
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "bounded", MailboxOptions.Bounded(2));
        var gate = new Gate();

        actor.Tell(gate.Hold());
        await gate.Entered;
        Assert.True(actor.Tell("m1"));
        Assert.True(actor.Tell("m2"));
        ValueTask waiting = actor.SendAsync("m3");
        Assert.False(waiting.IsCompleted);

        gate.Release();
        await waiting.AsTask().Within();

        Assert.Equal("m1", probe.ExpectMsg<object>());
        Assert.Equal("m2", probe.ExpectMsg<object>());
        Assert.Equal("m3", probe.ExpectMsg<object>());
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task Tell_on_a_full_bounded_mailbox_returns_false_and_counts_a_dead_letter()
    {
        await using var system = new ActorSystem("mailbox");
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "bounded", MailboxOptions.Bounded(1));
        var gate = new Gate();

        actor.Tell(gate.Hold());
        await gate.Entered;
        Assert.True(actor.Tell("kept"));
        Assert.False(actor.Tell("refused"));
        Assert.Equal(1, system.DeadLetterCount);

        gate.Release();
        Assert.Equal("kept", probe.ExpectMsg<object>());
        actor.Tell("after");
        Assert.Equal("after", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task SendAsync_waiting_for_room_fails_with_ActorStoppedException_when_the_actor_stops()
    {
        await using var system = new ActorSystem("mailbox");
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "bounded", MailboxOptions.Bounded(1));
        var gate = new Gate();

        actor.Tell(gate.Hold(c => c.Stop()));
        await gate.Entered;
        actor.Tell("queued");
        ValueTask waiting = actor.SendAsync("waiting");
        Assert.False(waiting.IsCompleted);
        gate.Release();

        await Assert.ThrowsAsync<ActorStoppedException>(() => waiting.AsTask().Within());
        Assert.Equal(2, system.DeadLetterCount);
    }

    [Fact]
    public async Task SendAsync_waiting_for_room_honours_its_cancellation_token()
    {
        await using var system = new ActorSystem("mailbox");
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "bounded", MailboxOptions.Bounded(1));
        var gate = new Gate();
        using var cts = new CancellationTokenSource();

        actor.Tell(gate.Hold());
        await gate.Entered;
        actor.Tell("queued");
        ValueTask waiting = actor.SendAsync("waiting", cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask().Within());
        gate.Release();
        Assert.Equal("queued", probe.ExpectMsg<object>());
        actor.Tell("next");
        Assert.Equal("next", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task Timer_ticks_and_death_notices_are_delivered_even_when_the_bounded_mailbox_is_full()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("mailbox", time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> watched = system.Spawn(() => new ScriptActor(probe), "watched");
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "bounded", MailboxOptions.Bounded(1));
        var gate = new Gate();

        await actor.SendAsync(Do.Sync(c =>
        {
            c.Watch(watched, "watched-stopped");
            c.Timers.StartSingleTimer("t", "tick", TimeSpan.FromSeconds(1));
        }));
        await actor.SendAsync(gate.Hold());
        await gate.Entered;
        Assert.True(actor.Tell("full"));
        watched.Tell(Do.Sync(c => c.Stop()));
        await watched.WhenStopped();
        time.Advance(TimeSpan.FromSeconds(1));
        gate.Release();

        Assert.Equal("full", probe.ExpectMsg<object>());
        Assert.Equal("watched-stopped", probe.ExpectMsg<object>());
        Assert.Equal("tick", probe.ExpectMsg<object>());
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task HasPendingMessages_is_true_only_while_deliverable_messages_are_queued()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("mailbox", time);
        var probe = new TestProbe<object>(system);
        IActorRef<object> actor = system.Spawn(() => new ScriptActor(probe), "writer");
        var gate = new Gate();
        Do report = Do.Sync(c => probe.Tell(c.HasPendingMessages));

        actor.Tell(Do.Sync(c => c.Timers.StartSingleTimer("t", "stale", TimeSpan.FromSeconds(1))));
        actor.Tell(gate.Hold(c => c.Timers.Cancel("t")));
        await gate.Entered;
        time.Advance(TimeSpan.FromSeconds(1));
        actor.Tell(report);
        actor.Tell(report);
        gate.Release();

        Assert.Equal(true, probe.ExpectMsg<object>());
        Assert.Equal(false, probe.ExpectMsg<object>());

        var second = new Gate();
        actor.Tell(second.Hold(c => probe.Tell(c.HasPendingMessages)));
        await second.Entered;
        time.Advance(TimeSpan.FromSeconds(1));
        second.Release();
        Assert.Equal(false, probe.ExpectMsg<object>());
    }
}
