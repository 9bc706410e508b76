using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class DeathWatchTests
{
    [Fact]
    public async Task A_watcher_receives_its_terminated_message_when_the_watched_actor_stops()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> target = system.Spawn(() => new ScriptActor(probe), "target");
        IActorRef<object> watcher = system.Spawn(() => new ScriptActor(probe), "watcher");

        watcher.Tell(Do.Sync(c => c.Watch(target, "target-stopped")));
        watcher.Tell("watching");
        Assert.Equal("watching", probe.ExpectMsg<object>());
        target.Tell(Do.Sync(c => c.Stop()));

        Assert.Equal("target-stopped", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task Watching_an_actor_that_already_stopped_delivers_the_message_at_once()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> target = system.Spawn(() => new ScriptActor(probe), "target");
        IActorRef<object> watcher = system.Spawn(() => new ScriptActor(probe), "watcher");
        target.Tell(Do.Sync(c => c.Stop()));
        await target.WhenStopped();

        watcher.Tell(Do.Sync(c => c.Watch(target, "already-stopped")));

        Assert.Equal("already-stopped", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task Unwatch_suppresses_the_notice_even_when_it_is_already_queued()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> target = system.Spawn(() => new ScriptActor(probe), "target");
        IActorRef<object> watcher = system.Spawn(() => new ScriptActor(probe), "watcher");
        var gate = new Gate();

        watcher.Tell(Do.Sync(c => c.Watch(target, "target-stopped")));
        watcher.Tell(gate.Hold(c => c.Unwatch(target)));
        await gate.Entered;
        target.Tell(Do.Sync(c => c.Stop()));
        await target.WhenStopped();
        gate.Release();
        watcher.Tell("ping");

        Assert.Equal("ping", probe.ExpectMsg<object>());
    }

    [Fact]
    public async Task A_parent_watching_its_child_is_told_when_the_child_stops_and_no_longer_lists_it()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> parent = system.Spawn(() => new ScriptActor(probe), "parent");
        IActorRef<object>? child = null;

        parent.Tell(Do.Sync(c =>
        {
            child = c.Spawn(() => new ScriptActor(probe), "child");
            c.Watch(child, "child-stopped");
            probe.Tell(c.Children.Count);
        }));
        Assert.Equal(1, probe.ExpectMsg<object>());
        child!.Tell(Do.Sync(c => c.Stop()));

        Assert.Equal("child-stopped", probe.ExpectMsg<object>());
        parent.Tell(Do.Sync(c => probe.Tell(c.Children.Count)));
        Assert.Equal(0, probe.ExpectMsg<object>());
        Assert.Equal("watch/user/parent/child", child.Path);
    }

    [Fact]
    public async Task A_parent_stops_its_child_with_Context_Stop_and_the_name_can_be_reused()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> parent = system.Spawn(() => new ScriptActor(probe), "parent");
        IActorRef<object>? first = null;

        parent.Tell(Do.Sync(c =>
        {
            first = c.Spawn(() => new ScriptActor(probe), "worker");
            c.Watch(first, "worker-stopped");
            Assert.Throws<InvalidOperationException>(() => c.Spawn(() => new ScriptActor(probe), "worker"));
            c.Stop(first);
        }));
        Assert.Equal("worker-stopped", probe.ExpectMsg<object>());

        parent.Tell(Do.Sync(c => probe.Tell(c.Spawn(() => new ScriptActor(probe), "worker").Path)));
        Assert.Equal("watch/user/parent/worker", probe.ExpectMsg<object>());
        Assert.True(first!.IsStopped);
    }

    [Fact]
    public async Task Stopping_a_child_that_already_stopped_is_harmless_but_stopping_a_stranger_is_refused()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object> parent = system.Spawn(() => new ScriptActor(probe), "parent");
        IActorRef<object> stranger = system.Spawn(() => new ScriptActor(probe), "stranger");
        IActorRef<object>? child = null;
        parent.Tell(Do.Sync(c =>
        {
            child = c.Spawn(() => new ScriptActor(probe), "child");
            c.Watch(child, "child-stopped");
            child.Tell(Do.Sync(cc => cc.Stop()));
        }));
        Assert.Equal("child-stopped", probe.ExpectMsg<object>());

        parent.Tell(Do.Sync(c =>
        {
            c.Stop(child!);
            probe.Tell(Assert.Throws<ArgumentException>(() => c.Stop(stranger)).ParamName!);
        }));

        Assert.Equal("child", probe.ExpectMsg<object>());
        Assert.False(parent.IsStopped);
        Assert.False(stranger.IsStopped);
    }

    [Fact]
    public async Task Children_spawned_by_a_constructor_that_then_throws_are_stopped()
    {
        await using var system = new ActorSystem("watch");
        var probe = new TestProbe<object>(system);
        IActorRef<object>? orphan = null;

        var error = Assert.Throws<InvalidOperationException>(() => system.Spawn(() => new SpawnThenThrowActor(probe, c => orphan = c), "parent"));

        Assert.Equal("constructor failed", error.Message);
        Assert.NotNull(orphan);
        await orphan.WhenStopped();
        Assert.True(orphan.IsStopped);
        IActorRef<object> again = system.Spawn(() => new ScriptActor(probe), "parent");
        Assert.False(again.IsStopped);
    }

    private sealed class SpawnThenThrowActor : Actor<object>
    {
        public SpawnThenThrowActor(TestProbe<object> probe, Action<IActorRef<object>> spawned)
        {
            spawned(Context.Spawn(() => new ScriptActor(probe), "child"));
            throw new InvalidOperationException("constructor failed");
        }

        protected override ValueTask Receive(object message) => default;
    }
}
