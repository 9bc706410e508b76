using System.Threading.Channels;
using Proxy.Actors.Runtime;
using Xunit.Sdk;

namespace Proxy.TestKit;

/// <summary>
/// A stand-in actor reference that records what it is told, for assertions. Expectations wait in
/// real time, at most <c>within</c> (3 s by default), and fail the test with what arrived instead.
/// </summary>
public sealed class TestProbe<T> : IActorRef<T>
{
    private static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(3);
    private readonly Channel<T> _received = Channel.CreateUnbounded<T>();

    public TestProbe(ActorSystem system, string name = "probe")
        : this($"{system?.Name}/probe/{name}")
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
    }

    public TestProbe(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Path = name;
    }

    public ActorSystem? System { get; }

    public string Path { get; }

    public bool IsStopped => false;

    public bool Tell(T message) => _received.Writer.TryWrite(message);

    public ValueTask SendAsync(T message, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        Tell(message);
        return default;
    }

    /// <summary>The next message, which must be a <typeparamref name="TMsg"/>.</summary>
    public TMsg ExpectMsg<TMsg>(TimeSpan? within = null)
        where TMsg : T =>
        ExpectMsgAsync<TMsg>(within).GetAwaiter().GetResult();

    /// <summary>The next message, which must be a <typeparamref name="TMsg"/> satisfying <paramref name="predicate"/>.</summary>
    public TMsg ExpectMsg<TMsg>(Func<TMsg, bool> predicate, TimeSpan? within = null)
        where TMsg : T =>
        ExpectMsgAsync(predicate, within).GetAwaiter().GetResult();

    public Task<TMsg> ExpectMsgAsync<TMsg>(TimeSpan? within = null)
        where TMsg : T =>
        ExpectMsgAsync<TMsg>(static _ => true, within);

    public async Task<TMsg> ExpectMsgAsync<TMsg>(Func<TMsg, bool> predicate, TimeSpan? within = null)
        where TMsg : T
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TimeSpan limit = within ?? DefaultWithin;
        (bool received, T message) = await ReceiveAsync(limit).ConfigureAwait(false);
        if (!received)
        {
            throw new XunitException($"{Path}: expected a {typeof(TMsg).Name} within {limit}, got nothing.");
        }

        if (message is not TMsg typed)
        {
            throw new XunitException($"{Path}: expected a {typeof(TMsg).Name}, got {Describe(message)}.");
        }

        if (!predicate(typed))
        {
            throw new XunitException($"{Path}: got {Describe(message)}, which does not match the expectation.");
        }

        return typed;
    }

    /// <summary>Fails if any message arrives within <paramref name="within"/>.</summary>
    public void ExpectNoMsg(TimeSpan within)
    {
        if (_received.Reader.TryRead(out T? early))
        {
            throw new XunitException($"{Path}: expected no message, got {Describe(early)}.");
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            if (_received.Reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult()
                && _received.Reader.TryRead(out T? late))
            {
                throw new XunitException($"{Path}: expected no message within {within}, got {Describe(late)}.");
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes the next message if one is already there.</summary>
    public bool TryReceive(out T message)
    {
        bool got = _received.Reader.TryRead(out T? received);
        message = received!;
        return got;
    }

    private static string Describe(T? message) => message is null ? "null" : $"{message.GetType().Name} {message}";

    private async Task<(bool Received, T Message)> ReceiveAsync(TimeSpan within)
    {
        if (_received.Reader.TryRead(out T? ready))
        {
            return (true, ready);
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await _received.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                if (_received.Reader.TryRead(out T? message))
                {
                    return (true, message);
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        return (false, default!);
    }
}
