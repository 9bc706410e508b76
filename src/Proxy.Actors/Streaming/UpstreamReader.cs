using System.Net.ServerSentEvents;
using Akka.Actor;

namespace Proxy.Actors.Streaming;

/// <summary>
/// The upstream body of one stream, read one event at a time on its stream actor's demand: the
/// actor starts a read, and a read that cannot finish at once tells the actor
/// <see cref="StreamActor.ReadCompleted"/> when it does. Nothing reads ahead of the actor, so a
/// client that flushes slowly slows the upstream read, and nothing is allocated per event (the
/// completion callback and its message are made once).
/// <para>
/// The enumerator must not be disposed under a pending read: <see cref="Abandon"/> closes it at
/// once when no read is pending, or leaves that to the read's completion.
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2012", Justification = "The read is kept to be consumed exactly once: by Take, or by Discard when abandoned.")]
internal sealed class UpstreamReader
{
    private const int Idle = 0;
    private const int Pending = 1;
    private const int Completed = 2;
    private const int Abandoned = 3;

    private readonly IAsyncEnumerator<SseItem<EventBytes>> _events;
    private readonly CancellationTokenSource _reads;
    private readonly IActorRef _owner;
    private readonly Action _onCompleted;
    private ValueTask<bool> _read;
    private int _state;

    public UpstreamReader(IAsyncEnumerator<SseItem<EventBytes>> events, CancellationTokenSource reads, IActorRef owner)
    {
        _events = events;
        _reads = reads;
        _owner = owner;
        _onCompleted = OnCompleted;
    }

    /// <summary>
    /// Starts the next read. True: it finished at once, <see cref="Take"/> its result now. False: it
    /// is pending, and the owner is told <see cref="StreamActor.ReadCompleted"/> when it finishes.
    /// </summary>
    public bool Start()
    {
        _read = _events.MoveNextAsync();
        if (_read.IsCompleted)
        {
            _state = Completed;
            return true;
        }

        Volatile.Write(ref _state, Pending);
        _read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
        return false;
    }

    /// <summary>The finished read: false at the end of the body; throws what the read threw.</summary>
    public bool Take(out EventBytes data)
    {
        _state = Idle;
        var more = _read.GetAwaiter().GetResult();
        data = more ? _events.Current.Data : default;
        return more;
    }

    /// <summary>Stops reading: cancels the body and closes the enumerator once no read is pending.</summary>
    public void Abandon()
    {
        var previous = Interlocked.Exchange(ref _state, Abandoned);
        _reads.Cancel();
        switch (previous)
        {
            case Pending:
                return; // the read's completion closes it
            case Completed:
                Discard();
                break;
            case Abandoned:
                return;
        }

        _ = UpstreamOpening.CloseAsync(_events, _reads).AsTask();
    }

    private void OnCompleted()
    {
        if (Interlocked.CompareExchange(ref _state, Completed, Pending) == Pending)
        {
            _owner.Tell(StreamActor.ReadCompleted.Instance, ActorRefs.NoSender);
            return;
        }

        // Abandoned while the read was pending: its result is nobody's, and now the enumerator may go.
        Discard();
        _ = UpstreamOpening.CloseAsync(_events, _reads).AsTask();
    }

    private void Discard()
    {
        try
        {
            if (_read.GetAwaiter().GetResult())
            {
                _events.Current.Data.Return();
            }
        }
#pragma warning disable CA1031 // The body is being thrown away; how its last read ended does not matter.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
