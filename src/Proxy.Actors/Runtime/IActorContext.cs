using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Runtime;

/// <summary>What an actor may do with itself and its children. Use it only from the actor's own messages.</summary>
public interface IActorContext<T>
{
    IActorRef<T> Self { get; }

    ActorSystem System { get; }

    TimeProvider Time { get; }

    ILogger Log { get; }

    ITimerScheduler<T> Timers { get; }

    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>More deliverable messages are already queued for this actor (lets a writer batch flushes).</summary>
    bool HasPendingMessages { get; }

    IActorRef<TChild> Spawn<TChild>(Func<Actor<TChild>> factory, string name, MailboxOptions? mailbox = null);

    /// <summary>Delivers <paramref name="terminatedMessage"/> to this actor when <paramref name="other"/> stops (at once if it already has).</summary>
    void Watch(IActorRef other, T terminatedMessage);

    /// <summary>No notice for <paramref name="other"/> from now on, even one already queued.</summary>
    void Unwatch(IActorRef other);

    /// <summary>Stops this actor once the current message is handled; queued messages become dead letters.</summary>
    void Stop();

    /// <summary>Stops a child of this actor once the child's current message is handled.</summary>
    void Stop(IActorRef child);
}
