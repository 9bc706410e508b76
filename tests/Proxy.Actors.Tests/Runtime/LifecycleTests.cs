using System.Collections.Concurrent;
using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class LifecycleTests
{
    [Fact]
    public async Task PreStart_runs_before_the_first_message_and_PostStop_once_after_the_last()
    {
        await using var system = new ActorSystem("lifecycle");
        var probe = new TestProbe<string>(system);
        IActorRef<string> actor = system.Spawn(() => new RecordingActor(probe), "recorder");

        actor.Tell("one");
        actor.Tell("two");
        actor.Tell("stop");
        await actor.WhenStopped();

        Assert.Equal("PreStart", probe.ExpectMsg<string>());
        Assert.Equal("one", probe.ExpectMsg<string>());
        Assert.Equal("two", probe.ExpectMsg<string>());
        Assert.Equal("stop", probe.ExpectMsg<string>());
        Assert.Equal("PostStop", probe.ExpectMsg<string>());
        await system.StopAsync();
        Assert.False(probe.TryReceive(out string? extra), $"nothing after PostStop, got {extra}");
    }

    [Fact]
    public async Task Context_can_be_used_in_the_constructor()
    {
        await using var system = new ActorSystem("lifecycle");
        var probe = new TestProbe<string>(system);

        system.Spawn(() => new PathInConstructorActor(probe), "early");

        Assert.Equal("lifecycle/user/early", probe.ExpectMsg<string>());
    }

    [Fact]
    public async Task Stop_takes_effect_after_the_current_message_and_the_rest_become_dead_letters()
    {
        await using var system = new ActorSystem("lifecycle");
        var probe = new TestProbe<string>(system);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef<string> actor = system.Spawn(() => new RecordingActor(probe, gate.Task), "recorder");
        Assert.Equal("PreStart", probe.ExpectMsg<string>());

        actor.Tell("block");
        Assert.Equal("block", probe.ExpectMsg<string>());
        actor.Tell("stop");
        actor.Tell("lost-1");
        actor.Tell("lost-2");
        gate.SetResult();
        await actor.WhenStopped();

        Assert.Equal("stop", probe.ExpectMsg<string>());
        Assert.Equal("PostStop", probe.ExpectMsg<string>());
        Assert.Equal(2, system.DeadLetterCount);
        Assert.True(actor.IsStopped);
    }

    [Fact]
    public async Task Tell_to_a_stopped_actor_returns_false_and_counts_a_dead_letter()
    {
        await using var system = new ActorSystem("lifecycle");
        var probe = new TestProbe<string>(system);
        IActorRef<string> actor = system.Spawn(() => new RecordingActor(probe), "recorder");
        actor.Tell("stop");
        await actor.WhenStopped();

        Assert.False(actor.Tell("hello?"));
        Assert.False(actor.Tell("anyone?"));
        await Assert.ThrowsAsync<ActorStoppedException>(() => actor.SendAsync("still?").AsTask());

        Assert.Equal(3, system.DeadLetterCount);
    }

    [Fact]
    public async Task StopAsync_stops_every_actor_children_before_parents_and_runs_each_PostStop()
    {
        var order = new ConcurrentQueue<string>();
        var system = new ActorSystem("shutdown");
        IActorRef<string> root = system.Spawn(() => new TreeActor(order, depth: 2), "root");
        IActorRef<string> other = system.Spawn(() => new TreeActor(order, depth: 0), "other");
        Assert.Single(((ActorCellBase)root).ChildrenSnapshot());

        await system.StopAsync().Within();

        string[] stops = [.. order];
        Assert.Equal(["other", "root", "root/c0", "root/c0/c0", "root/c0/c1"], stops.Order(StringComparer.Ordinal));
        Assert.True(Array.IndexOf(stops, "root/c0/c0") < Array.IndexOf(stops, "root/c0"));
        Assert.True(Array.IndexOf(stops, "root/c0/c1") < Array.IndexOf(stops, "root/c0"));
        Assert.True(Array.IndexOf(stops, "root/c0") < Array.IndexOf(stops, "root"));
        Assert.True(root.IsStopped);
        Assert.True(other.IsStopped);
        Assert.Throws<InvalidOperationException>(() => system.Spawn(() => new TreeActor(order, 0), "late"));
    }

    private sealed class RecordingActor : Actor<string>
    {
        private readonly TestProbe<string> _probe;
        private readonly Task? _gate;

        public RecordingActor(TestProbe<string> probe, Task? gate = null)
        {
            _probe = probe;
            _gate = gate;
        }

        protected override ValueTask PreStart()
        {
            _probe.Tell("PreStart");
            return default;
        }

        protected override ValueTask PostStop()
        {
            _probe.Tell("PostStop");
            return default;
        }

        protected override async ValueTask Receive(string message)
        {
            _probe.Tell(message);
            if (message == "block")
            {
                await _gate!;
            }
            else if (message == "stop")
            {
                Context.Stop();
            }
        }
    }

    private sealed class PathInConstructorActor : Actor<string>
    {
        public PathInConstructorActor(TestProbe<string> probe) => probe.Tell(Context.Self.Path);

        protected override ValueTask Receive(string message) => default;
    }

    private sealed class TreeActor : Actor<string>
    {
        private readonly ConcurrentQueue<string> _order;
        private readonly int _depth;

        public TreeActor(ConcurrentQueue<string> order, int depth)
        {
            _order = order;
            _depth = depth;
            if (depth == 2)
            {
                Context.Spawn(() => new TreeActor(order, 1), "c0");
            }
            else if (depth == 1)
            {
                Context.Spawn(() => new TreeActor(order, 0), "c0");
                Context.Spawn(() => new TreeActor(order, 0), "c1");
            }
        }

        protected override ValueTask Receive(string message) => default;

        protected override ValueTask PostStop()
        {
            _order.Enqueue(Context.Self.Path["shutdown/user/".Length..]);
            return default;
        }
    }
}
