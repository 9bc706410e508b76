using Proxy.Actors.Runtime;

namespace Proxy.Actors.Tests.Runtime;

public sealed class MessageOrderingTests
{
    private const int Senders = 4;
    private const int PerSender = 10_000;

    [Fact]
    public async Task Messages_from_each_of_four_concurrent_senders_arrive_in_send_order_and_none_is_lost()
    {
        await using var system = new ActorSystem("ordering");
        IActorRef<IOrderMessage> counter = system.Spawn(() => new OrderCheckingActor(), "counter");

        Task[] senders = Enumerable.Range(0, Senders)
            .Select(sender => Task.Run(() =>
            {
                for (int seq = 0; seq < PerSender; seq++)
                {
                    Assert.True(counter.Tell(new Numbered(sender, seq)));
                }
            }))
            .ToArray();
        await Task.WhenAll(senders).Within();

        OrderReport report = await counter.Ask<IOrderMessage, OrderReport>(r => new GetReport(r), RuntimeTestSupport.Patience);

        Assert.Equal(Senders * PerSender, report.Total);
        Assert.Equal(0, report.OutOfOrder);
        Assert.Equal(Enumerable.Repeat(PerSender - 1, Senders), report.LastSeen);
        Assert.Equal(0, system.DeadLetterCount);
    }

    [Fact]
    public async Task Messages_from_one_sender_are_handled_one_at_a_time_even_when_handlers_await()
    {
        await using var system = new ActorSystem("one-at-a-time");
        int inside = 0;
        int maxInside = 0;
        int handled = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IActorRef<int> actor = system.Spawn(
            RuntimeTestSupport.Of<int>(async (_, n) =>
            {
                int now = Interlocked.Increment(ref inside);
                maxInside = Math.Max(maxInside, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                if (++handled == 200)
                {
                    done.SetResult();
                }
            }),
            "serial");

        for (int i = 0; i < 200; i++)
        {
            actor.Tell(i);
        }

        await done.Task.Within();
        Assert.Equal(1, maxInside);
        Assert.Equal(200, handled);
    }

    private interface IOrderMessage;

    private sealed record Numbered(int Sender, int Seq) : IOrderMessage;

    private sealed record GetReport(Reply<OrderReport> Reply) : IOrderMessage;

    private sealed record OrderReport(int Total, int OutOfOrder, int[] LastSeen);

    private sealed class OrderCheckingActor : Actor<IOrderMessage>
    {
        private readonly int[] _lastSeen = Enumerable.Repeat(-1, Senders).ToArray();
        private int _total;
        private int _outOfOrder;

        protected override ValueTask Receive(IOrderMessage message)
        {
            switch (message)
            {
                case Numbered n:
                    _total++;
                    if (n.Seq != _lastSeen[n.Sender] + 1)
                    {
                        _outOfOrder++;
                    }

                    _lastSeen[n.Sender] = n.Seq;
                    break;
                case GetReport get:
                    get.Reply.TrySuccess(new OrderReport(_total, _outOfOrder, [.. _lastSeen]));
                    break;
            }

            return default;
        }
    }
}
