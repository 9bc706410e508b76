using BenchmarkDotNet.Attributes;
using Proxy.Actors.Runtime;

namespace Proxy.Benchmarks.Runtime;

/// <summary>One ask round trip: message out, reply back, awaited by the caller.</summary>
[MemoryDiagnoser]
public class ActorAskBenchmarks : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private ActorSystem _system = null!;
    private IActorRef<Question> _answerer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = new ActorSystem("bench");
        _answerer = _system.Spawn(() => new Answerer(), "answerer");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _system.StopAsync().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public Task<int> Ask() => _answerer.Ask<Question, int>(static reply => new Question(21, reply), Timeout);

    [Benchmark]
    public Task<int> AskWithoutTimeout() =>
        _answerer.Ask<Question, int>(static reply => new Question(21, reply), System.Threading.Timeout.InfiniteTimeSpan);

    public sealed record Question(int Value, Reply<int> Reply);

    private sealed class Answerer : Actor<Question>
    {
        protected override ValueTask Receive(Question message)
        {
            message.Reply.TrySuccess(message.Value * 2);
            return default;
        }
    }
}
