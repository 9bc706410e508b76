using System.Collections.Concurrent;

namespace Proxy.Actors.Runtime;

/// <summary>
/// What the hierarchy needs of any actor whatever its message type: its place, its children,
/// who watches it, the asks it owes, and how to stop it.
/// </summary>
internal abstract class ActorCellBase : IActorRef
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ActorCellBase> _children = new(StringComparer.Ordinal);
    private readonly HashSet<IPendingReply> _openReplies = [];
    private readonly List<IDeathWatch> _watchers = [];
    // Made on the first escalation: most actors (one per stream) never see one, and an empty
    // queue still costs a 32-slot segment.
    private ConcurrentQueue<Escalation>? _escalations;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopRequested;
    private volatile bool _attention;
    private volatile bool _stopped;
    private bool _closed;

    protected ActorCellBase(ActorSystem system, ActorCellBase? parent, string name)
    {
        System = system;
        Parent = parent;
        Name = name;
        Path = parent is null ? $"{system.Name}/user/{name}" : $"{parent.Path}/{name}";
    }

    public string Path { get; }

    public bool IsStopped => _stopped;

    public ActorSystem System { get; }

    public string Name { get; }

    /// <summary>The supervising actor, or null for a top-level actor (supervised by the system).</summary>
    public ActorCellBase? Parent { get; }

    /// <summary>Completes once the actor has stopped, its children first, and PostStop has run.</summary>
    public Task Terminated => _terminated.Task;

    /// <summary>True from the moment a stop was requested.</summary>
    public bool IsStopping => Volatile.Read(ref _stopRequested) != 0;

    /// <summary>How this actor's current instance supervises its children.</summary>
    public abstract SupervisorStrategy ChildStrategy { get; }

    protected bool NeedsAttention => _attention;

    public override string ToString() => Path;

    /// <summary>Stops the actor once its current message is handled. Safe from any thread.</summary>
    public void RequestStop()
    {
        MarkStopping();
        RaiseAttention();
    }

    /// <summary>A child chose <see cref="Directive.Escalate"/>: this actor fails as if it had thrown.</summary>
    public void Escalate(Escalation escalation)
    {
        var escalations = Volatile.Read(ref _escalations);
        if (escalations is null)
        {
            Interlocked.CompareExchange(ref _escalations, new ConcurrentQueue<Escalation>(), null);
            escalations = _escalations;
        }

        escalations.Enqueue(escalation);
        RaiseAttention();
    }

    public ActorCellBase[] ChildrenSnapshot()
    {
        lock (_gate)
        {
            return _children.Count == 0 ? [] : [.. _children.Values];
        }
    }

    /// <summary>Reserves the child's name; refused while this actor is stopping.</summary>
    public void AddChild(ActorCellBase child)
    {
        lock (_gate)
        {
            if (IsStopping)
            {
                throw new InvalidOperationException($"{Path} is stopping and cannot create children.");
            }

            if (!_children.TryAdd(child.Name, child))
            {
                throw new InvalidOperationException($"{Path} already has a child named '{child.Name}'.");
            }
        }
    }

    public void RemoveChild(ActorCellBase child)
    {
        lock (_gate)
        {
            if (_children.TryGetValue(child.Name, out ActorCellBase? found) && ReferenceEquals(found, child))
            {
                _children.Remove(child.Name);
            }
        }
    }

    /// <summary>Registers an ask this actor owes; false once it has stopped.</summary>
    public bool Track(IPendingReply reply)
    {
        reply.TrackBy(this);
        lock (_gate)
        {
            return !_closed && _openReplies.Add(reply);
        }
    }

    public void Untrack(IPendingReply reply)
    {
        lock (_gate)
        {
            _openReplies.Remove(reply);
        }
    }

    /// <summary>Notices <paramref name="watch"/> when this actor stops, at once if it already has.</summary>
    public void AddWatcher(IDeathWatch watch)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _watchers.Add(watch);
                return;
            }
        }

        watch.Notify();
    }

    public void RemoveWatcher(IDeathWatch watch)
    {
        lock (_gate)
        {
            _watchers.Remove(watch);
        }
    }

    protected bool TryDequeueEscalation(out Escalation escalation)
    {
        if (Volatile.Read(ref _escalations) is { } escalations)
        {
            return escalations.TryDequeue(out escalation!);
        }

        escalation = null!;
        return false;
    }

    protected void ClearAttention() => _attention = false;

    /// <summary>A full fence: a waiter that publishes itself and then reads IsStopping cannot be missed.</summary>
    protected void MarkStopping() => Interlocked.Exchange(ref _stopRequested, 1);

    protected void MarkStopped() => _stopped = true;

    /// <summary>Requests every child to stop and waits until all have stopped.</summary>
    protected Task StopChildrenAsync()
    {
        ActorCellBase[] children = ChildrenSnapshot();
        if (children.Length == 0)
        {
            return Task.CompletedTask;
        }

        var terminations = new Task[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            children[i].RequestStop();
            terminations[i] = children[i].Terminated;
        }

        return Task.WhenAll(terminations);
    }

    /// <summary>
    /// The last step of stopping: fails the asks still owed, leaves the parent and tells the watchers.
    /// </summary>
    protected void Close()
    {
        _stopped = true;
        IPendingReply[] replies;
        IDeathWatch[] watchers;
        lock (_gate)
        {
            _closed = true;
            replies = [.. _openReplies];
            _openReplies.Clear();
            watchers = [.. _watchers];
            _watchers.Clear();
        }

        foreach (IPendingReply reply in replies)
        {
            reply.Fail(ActorStoppedException.For(Path));
        }

        Detach();
        foreach (IDeathWatch watch in watchers)
        {
            watch.Notify();
        }

        _terminated.TrySetResult();
    }

    protected abstract void WakeUp();

    /// <summary>Takes this actor's name under its parent, or at the top of the system.</summary>
    protected void Attach()
    {
        if (Parent is null)
        {
            System.AddTopLevel(this);
        }
        else
        {
            Parent.AddChild(this);
        }
    }

    protected void Detach()
    {
        if (Parent is null)
        {
            System.RemoveTopLevel(this);
        }
        else
        {
            Parent.RemoveChild(this);
        }
    }

    private void RaiseAttention()
    {
        _attention = true;
        WakeUp();
    }
}
