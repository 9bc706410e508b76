namespace Proxy.Actors.Runtime;

/// <summary>One watcher's interest in one actor's stop.</summary>
internal interface IDeathWatch
{
    /// <summary>The watched actor stopped: queue the notice for the watcher.</summary>
    void Notify();
}

/// <summary>
/// Delivers <c>terminatedMessage</c> to the watcher once. Unwatching deactivates it, so a notice
/// already queued is dropped when dequeued.
/// </summary>
internal sealed class DeathWatch<T> : EnvelopeGuard, IDeathWatch
{
    private readonly ActorCell<T> _watcher;
    private readonly T _message;

    public DeathWatch(ActorCell<T> watcher, ActorCellBase target, T message)
    {
        _watcher = watcher;
        Target = target;
        _message = message;
    }

    public ActorCellBase Target { get; }

    /// <summary>Read and written only on the watcher's loop.</summary>
    public bool Active { get; set; } = true;

    public void Notify() => _watcher.EnqueueSystemMade(_message, this, 0);

    public override bool IsCurrent(int generation) => Active;

    public override bool TryConsume(int generation)
    {
        if (!Active)
        {
            return false;
        }

        Active = false;
        _watcher.ForgetWatch(this);
        return true;
    }
}
