using Proxy.Actors.Runtime;

namespace Proxy.Actors.Tests.Runtime;

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsCollection;

/// <summary>Runs alone: it counts every allocation in the process.</summary>
[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    private const int Messages = 100_000;

    [Fact]
    public async Task The_message_loop_allocates_nothing_per_message_on_the_synchronous_path()
    {
        await using var system = new ActorSystem("alloc");
        var countdown = new Countdown();
        IActorRef<int> actor = system.Spawn(() => new CountingActor(countdown), "counter");
        await SendAll(actor, countdown);

        // The channel grows its queue segment when a backlog reaches a new high, so a round can
        // allocate buffer space once; the best of a few rounds shows the per-message cost.
        long allocated = long.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await SendAll(actor, countdown);
            allocated = Math.Min(allocated, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        // One allocation per message would be at least 24 B x 100,000 = 2.4 MB in every round;
        // what remains is the fixed cost of waking the loop and awaiting the countdown.
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes for {Messages} messages");
    }

    private static Task SendAll(IActorRef<int> actor, Countdown countdown)
    {
        Task done = countdown.Reset(Messages);
        for (int i = 0; i < Messages; i++)
        {
            actor.Tell(i);
        }

        return done.Within();
    }

    private sealed class Countdown
    {
        private int _remaining;
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reset(int count)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _remaining = count;
            return _done.Task;
        }

        public void Signal()
        {
            if (--_remaining == 0)
            {
                _done.SetResult();
            }
        }
    }

    private sealed class CountingActor : Actor<int>
    {
        private readonly Countdown _countdown;

        public CountingActor(Countdown countdown) => _countdown = countdown;

        protected override ValueTask Receive(int message)
        {
            _countdown.Signal();
            return default;
        }
    }
}
