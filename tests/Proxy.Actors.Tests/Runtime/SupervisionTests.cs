using Proxy.Actors.Runtime;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class SupervisionTests
{
    [Fact]
    public async Task Resume_keeps_the_instance_and_its_state_and_drops_only_the_failed_message()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Resume));

        foreach (string message in new[] { "inc", "inc", "boom", "inc", "get" })
        {
            child.Tell(message);
        }

        Assert.Equal("start#1", probe.ExpectMsg<string>());
        Assert.Equal("count#1=3", probe.ExpectMsg<string>());
    }

    [Fact]
    public async Task Restart_makes_a_new_instance_from_the_factory_behind_the_same_ref_and_keeps_the_queued_messages()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        var instances = new Counter.Instances();
        IActorRef<string> child = SpawnSupervised(system, probe, SupervisorStrategy.Default, instances: instances);
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        foreach (string message in new[] { "inc", "hold", "boom", "inc", "inc", "get" })
        {
            child.Tell(message);
        }

        Assert.Equal("holding#1", probe.ExpectMsg<string>());
        instances.Hold.SetResult();
        Assert.Equal("stop#1", probe.ExpectMsg<string>());
        Assert.Equal("start#2", probe.ExpectMsg<string>());
        Assert.Equal("count#2=2", probe.ExpectMsg<string>());
        Assert.Equal("supervision/user/parent/child", child.Path);
        Assert.False(child.IsStopped);
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task Stop_stops_the_child_runs_PostStop_and_turns_later_messages_into_dead_letters()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, SupervisorStrategy.StoppingStrategy);
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        child.Tell("boom");
        Assert.Equal("stop#1", probe.ExpectMsg<string>());
        await child.WhenStopped();

        Assert.True(child.IsStopped);
        Assert.False(child.Tell("inc"));
        Assert.Equal(1, system.DeadLetterCount);
    }

    [Fact]
    public async Task Escalate_fails_the_parent_whose_supervisor_restarts_it_and_its_children()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Escalate), grandparentRestarts: true);
        Assert.Equal("parent-start#1", probe.ExpectMsg<string>());
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        child.Tell("boom");

        Assert.Equal("stop#1", probe.ExpectMsg<string>());
        Assert.Equal("parent-stop#1", probe.ExpectMsg<string>());
        Assert.Equal("parent-start#2", probe.ExpectMsg<string>());
        Assert.Equal("start#2", probe.ExpectMsg<string>());
        await child.WhenStopped();
    }

    [Fact]
    public async Task Escalate_resolved_by_Resume_resumes_the_failed_child_with_its_state()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => Directive.Escalate), grandparentRestarts: false);
        Assert.Equal("parent-start#1", probe.ExpectMsg<string>());
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        foreach (string message in new[] { "inc", "boom", "inc", "get" })
        {
            child.Tell(message);
        }

        Assert.Equal("count#1=2", probe.ExpectMsg<string>());
        Assert.False(child.IsStopped);
    }

    [Fact]
    public async Task Restarts_beyond_the_limit_within_the_window_stop_the_child()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("supervision", time);
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(3, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        for (int failure = 1; failure <= 3; failure++)
        {
            child.Tell("boom");
            Assert.Equal($"stop#{failure}", probe.ExpectMsg<string>());
            Assert.Equal($"start#{failure + 1}", probe.ExpectMsg<string>());
            time.Advance(TimeSpan.FromSeconds(19));
        }

        child.Tell("boom");
        Assert.Equal("stop#4", probe.ExpectMsg<string>());
        await child.WhenStopped();
    }

    [Fact]
    public async Task Restarts_older_than_the_window_no_longer_count_against_the_limit()
    {
        var time = new ManualTimeProvider();
        await using var system = new ActorSystem("supervision", time);
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(3, TimeSpan.FromMinutes(1), _ => Directive.Restart));
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        for (int failure = 1; failure <= 3; failure++)
        {
            child.Tell("boom");
            Assert.Equal($"stop#{failure}", probe.ExpectMsg<string>());
            Assert.Equal($"start#{failure + 1}", probe.ExpectMsg<string>());
        }

        time.Advance(TimeSpan.FromMinutes(1));
        child.Tell("boom");

        Assert.Equal("stop#4", probe.ExpectMsg<string>());
        Assert.Equal("start#5", probe.ExpectMsg<string>());
        Assert.False(child.IsStopped);
    }

    [Fact]
    public async Task A_top_level_actor_is_restarted_by_the_default_strategy_when_Receive_throws()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        var instances = new Counter.Instances();
        IActorRef<string> actor = system.Spawn(() => new Counter(probe, instances), "top");

        actor.Tell("inc");
        actor.Tell("boom");
        actor.Tell("get");

        Assert.Equal("start#1", probe.ExpectMsg<string>());
        Assert.Equal("stop#1", probe.ExpectMsg<string>());
        Assert.Equal("start#2", probe.ExpectMsg<string>());
        Assert.Equal("count#2=0", probe.ExpectMsg<string>());
    }

    [Fact]
    public async Task A_PreStart_that_throws_is_supervised_like_a_failed_message()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        int created = 0;
        IActorRef<string> actor = system.Spawn(
            () => new FailingStartActor(probe, failFirst: Interlocked.Increment(ref created) == 1),
            "flaky");

        actor.Tell("ping");

        Assert.Equal("PostStop", probe.ExpectMsg<string>());
        Assert.Equal("ping", probe.ExpectMsg<string>());
        Assert.Equal(2, created);
    }

    [Fact]
    public async Task A_PreStart_that_always_throws_is_restarted_ten_times_and_then_stopped()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        int created = 0;
        IActorRef<string> actor = system.Spawn(
            () =>
            {
                Interlocked.Increment(ref created);
                return new FailingStartActor(probe, failFirst: true);
            },
            "broken");

        await actor.WhenStopped();

        Assert.Equal(11, created);
        Assert.True(actor.IsStopped);
    }

    [Fact]
    public async Task A_PostStop_that_throws_does_not_keep_the_actor_or_the_system_from_stopping()
    {
        var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> bad = system.Spawn(() => new FailingStopActor(), "bad");
        IActorRef<string> good = system.Spawn(() => new Counter(probe, new Counter.Instances()), "good");
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        await system.StopAsync().Within();

        Assert.True(bad.IsStopped);
        Assert.True(good.IsStopped);
        Assert.Equal("stop#1", probe.ExpectMsg<string>());
    }

    [Fact]
    public async Task A_decider_that_throws_stops_the_child()
    {
        await using var system = new ActorSystem("supervision");
        var probe = new TestProbe<string>(system);
        IActorRef<string> child = SpawnSupervised(system, probe, new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, e => throw new InvalidOperationException("decider bug", e)));
        Assert.Equal("start#1", probe.ExpectMsg<string>());

        child.Tell("boom");

        Assert.Equal("stop#1", probe.ExpectMsg<string>());
        await child.WhenStopped();
    }

    /// <summary>
    /// Spawns parent (with <paramref name="strategy"/>) and its child <see cref="Counter"/>; with
    /// <paramref name="grandparentRestarts"/> set, a grandparent above that restarts (true) or
    /// resumes (false) the parent, and the parent reports its own lifecycle.
    /// </summary>
    private static IActorRef<string> SpawnSupervised(
        ActorSystem system,
        TestProbe<string> probe,
        SupervisorStrategy strategy,
        bool? grandparentRestarts = null,
        Counter.Instances? instances = null)
    {
        instances ??= new Counter.Instances();
        Func<Actor<string>> child = () => new Counter(probe, instances);
        if (grandparentRestarts is null)
        {
            IActorRef<string> parent = system.Spawn(() => new Parent(strategy, child, null), "parent");
            return (IActorRef<string>)((ActorCellBase)parent).ChildrenSnapshot().Single();
        }

        var parentInstances = new Counter.Instances();
        var grandparentStrategy = new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, _ => grandparentRestarts.Value ? Directive.Restart : Directive.Resume);
        IActorRef<string> grandparent = system.Spawn(
            () => new Parent(grandparentStrategy, () => new Parent(strategy, child, (probe, parentInstances)), null),
            "grandparent");
        var middle = ((ActorCellBase)grandparent).ChildrenSnapshot().Single();
        return (IActorRef<string>)middle.ChildrenSnapshot().Single();
    }

    private sealed class Parent : Actor<string>
    {
        private readonly SupervisorStrategy _strategy;
        private readonly (TestProbe<string> Probe, Counter.Instances Instances)? _report;
        private readonly int _instance;

        public Parent(SupervisorStrategy strategy, Func<Actor<string>> child, (TestProbe<string>, Counter.Instances)? report)
        {
            _strategy = strategy;
            _report = report;
            _instance = report?.Item2.Next() ?? 0;
            _report?.Probe.Tell($"parent-start#{_instance}");
            Context.Spawn(child, "child");
        }

        protected override SupervisorStrategy SupervisorStrategy => _strategy;

        protected override ValueTask PostStop()
        {
            _report?.Probe.Tell($"parent-stop#{_instance}");
            return default;
        }

        protected override ValueTask Receive(string message) => default;
    }

    /// <summary>Counts "inc", reports "get", throws on "boom", waits on "hold"; reports its lifecycle with its instance number.</summary>
    private sealed class Counter : Actor<string>
    {
        private readonly TestProbe<string> _probe;
        private readonly Instances _instances;
        private readonly int _instance;
        private int _count;

        public Counter(TestProbe<string> probe, Instances instances)
        {
            _probe = probe;
            _instances = instances;
            _instance = instances.Next();
        }

        protected override ValueTask PreStart()
        {
            _probe.Tell($"start#{_instance}");
            return default;
        }

        protected override ValueTask PostStop()
        {
            _probe.Tell($"stop#{_instance}");
            return default;
        }

        protected override async ValueTask Receive(string message)
        {
            switch (message)
            {
                case "inc":
                    _count++;
                    break;
                case "get":
                    _probe.Tell($"count#{_instance}={_count}");
                    break;
                case "boom":
                    throw new InvalidOperationException("boom");
                case "hold":
                    _probe.Tell($"holding#{_instance}");
                    await _instances.Hold.Task;
                    break;
            }
        }

        public sealed class Instances
        {
            private int _created;

            /// <summary>Released by the test to end a "hold".</summary>
            public TaskCompletionSource Hold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public int Next() => Interlocked.Increment(ref _created);
        }
    }

    private sealed class FailingStartActor : Actor<string>
    {
        private readonly TestProbe<string> _probe;
        private readonly bool _failFirst;

        public FailingStartActor(TestProbe<string> probe, bool failFirst)
        {
            _probe = probe;
            _failFirst = failFirst;
        }

        protected override ValueTask PreStart() =>
            _failFirst ? throw new InvalidOperationException("cannot start") : default;

        protected override ValueTask PostStop()
        {
            _probe.Tell("PostStop");
            return default;
        }

        protected override ValueTask Receive(string message)
        {
            _probe.Tell(message);
            return default;
        }
    }

    private sealed class FailingStopActor : Actor<string>
    {
        protected override ValueTask Receive(string message) => default;

        protected override ValueTask PostStop() => throw new InvalidOperationException("cannot stop cleanly");
    }
}
