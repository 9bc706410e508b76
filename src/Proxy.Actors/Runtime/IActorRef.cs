namespace Proxy.Actors.Runtime;

/// <summary>An address of an actor, whatever the type of message it takes.</summary>
public interface IActorRef
{
    /// <summary>Where the actor sits in the hierarchy, e.g. <c>proxy/user/breaker/stream-1</c>.</summary>
    string Path { get; }

    /// <summary>True once the actor has stopped; every later message is a dead letter.</summary>
    bool IsStopped { get; }
}

/// <summary>An address that takes messages of type <typeparamref name="T"/>.</summary>
public interface IActorRef<in T> : IActorRef
{
    /// <summary>
    /// Queues a message and returns at once. False means the message became a dead letter: the
    /// actor stopped, or its bounded mailbox is full.
    /// </summary>
    bool Tell(T message);

    /// <summary>
    /// Queues a message, waiting for room in a bounded mailbox (back-pressure). Throws
    /// <see cref="ActorStoppedException"/> when the actor has stopped or stops while waiting.
    /// </summary>
    ValueTask SendAsync(T message, CancellationToken ct = default);
}
