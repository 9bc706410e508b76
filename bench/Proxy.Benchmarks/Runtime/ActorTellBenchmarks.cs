using BenchmarkDotNet.Attributes;
using Proxy.Actors.Runtime;

namespace Proxy.Benchmarks.Runtime;

/// <summary>
/// Throughput of one actor: 100,000 messages told from one sender, awaited until the actor has
/// handled the last. Results are per message (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class ActorTellBenchmarks : IDisposable
{
    private const int Messages = 100_000;
    private readonly Countdown _countdown = new();
    private ActorSystem _system = null!;
    private IActorRef<int> _unbounded = null!;
    private IActorRef<int> _bounded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = new ActorSystem("bench");
        _unbounded = _system.Spawn(() => new CountingActor(_countdown), "unbounded");
        _bounded = _system.Spawn(() => new CountingActor(_countdown), "bounded", MailboxOptions.Bounded(1024));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _system.StopAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public Task Tell()
    {
        Task done = _countdown.Reset(Messages);
        for (int i = 0; i < Messages; i++)
        {
            _unbounded.Tell(i);
        }

        return done;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task SendAsyncBounded1024()
    {
        Task done = _countdown.Reset(Messages);
        for (int i = 0; i < Messages; i++)
        {
            await _bounded.SendAsync(i);
        }

        await done;
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
