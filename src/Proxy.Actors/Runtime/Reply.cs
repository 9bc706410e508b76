namespace Proxy.Actors.Runtime;

/// <summary>
/// The answer slot an ask puts into its message. The actor completes it once; later attempts
/// return false. If the actor stops with the reply still open, the runtime fails it.
/// </summary>
public sealed class Reply<T> : IPendingReply
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorCellBase? _tracker;

    /// <summary>True once answered, failed, timed out or cancelled: the asker no longer waits.</summary>
    public bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>The answer as the asker sees it.</summary>
    public Task<T> Task => _completion.Task;

    public bool TrySuccess(T value) => Completed(_completion.TrySetResult(value));

    public bool TryFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Completed(_completion.TrySetException(error));
    }

    void IPendingReply.Fail(Exception error) => TryFailure(error);

    void IPendingReply.TrackBy(ActorCellBase cell) => Volatile.Write(ref _tracker, cell);

    /// <summary>The asker gave up (timeout or cancellation).</summary>
    internal bool Abandon() => Completed(_completion.TrySetCanceled());

    private bool Completed(bool completedNow)
    {
        if (completedNow)
        {
            Volatile.Read(ref _tracker)?.Untrack(this);
        }

        return completedNow;
    }
}

/// <summary>An open reply an actor owes, failed by the runtime when that actor stops.</summary>
internal interface IPendingReply
{
    void TrackBy(ActorCellBase cell);

    void Fail(Exception error);
}
