namespace Proxy.Actors.Runtime;

/// <summary>Request/response with an actor: the message carries a <see cref="Reply{TReply}"/>.</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends <c>build(reply)</c> and waits for the reply. Throws <see cref="AskTimeoutException"/>
    /// after <paramref name="timeout"/> (measured on the system's <see cref="TimeProvider"/>),
    /// <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires, and
    /// <see cref="ActorStoppedException"/> when the target is stopped or stops before replying.
    /// A bounded, full mailbox is waited on within the same timeout.
    /// </summary>
    public static async Task<TReply> Ask<T, TReply>(
        this IActorRef<T> target,
        Func<Reply<TReply>, T> build,
        TimeSpan timeout,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(build);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or infinite.");
        }

        ct.ThrowIfCancellationRequested();
        var reply = new Reply<TReply>();
        var cell = target as ActorCellBase;
        if (cell is not null && !cell.Track(reply))
        {
            throw ActorStoppedException.For(target.Path);
        }

        TimeProvider time = cell?.System.Time ?? TimeProvider.System;
        using var deadline = timeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(timeout, time);
        using var callerCancel = ct.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
        using var giveUp = deadline.Token.UnsafeRegister(static state => ((Reply<TReply>)state!).Abandon(), reply);
        try
        {
            await target.SendAsync(build(reply), deadline.Token).ConfigureAwait(false);
            return await reply.Task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            ct.ThrowIfCancellationRequested();
            throw new AskTimeoutException($"No reply from {target.Path} within {timeout}.");
        }
        finally
        {
            reply.Abandon();
        }
    }
}
