namespace Proxy.Actors.Runtime;

/// <summary>
/// An actor taking messages of type <typeparamref name="T"/>, one at a time. Create it only inside
/// the factory given to <c>Spawn</c>: <see cref="Context"/> is ready from the constructor on.
/// </summary>
public abstract class Actor<T>
{
    private readonly ActorCell<T>? _cell;
    private Func<T, ValueTask>? _behaviour;

    protected Actor() => _cell = ActorCell<T>.Constructing;

    protected IActorContext<T> Context =>
        _cell ?? throw new InvalidOperationException($"{GetType().Name} was not created by a Spawn factory.");

    protected IActorRef<T> Self => Context.Self;

    /// <summary>How this actor treats its children when they fail.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy => SupervisorStrategy.Default;

    internal SupervisorStrategy StrategyForChildren => SupervisorStrategy;

    internal ActorCell<T>? Cell => _cell;

    /// <summary>The initial behaviour.</summary>
    protected abstract ValueTask Receive(T message);

    /// <summary>Handles every following message with <paramref name="behaviour"/> (an FSM state).</summary>
    protected void Become(Func<T, ValueTask> behaviour)
    {
        ArgumentNullException.ThrowIfNull(behaviour);
        _behaviour = behaviour;
    }

    /// <summary>Back to <see cref="Receive"/>.</summary>
    protected void Unbecome() => _behaviour = null;

    /// <summary>Runs before the first message.</summary>
    protected virtual ValueTask PreStart() => default;

    /// <summary>Runs once after the last message, also when the actor failed.</summary>
    protected virtual ValueTask PostStop() => default;

    /// <summary>Runs on the failed instance before it is replaced; by default <see cref="PostStop"/>.</summary>
    protected virtual ValueTask PreRestart(Exception reason) => PostStop();

    /// <summary>Runs on the new instance after a restart; by default <see cref="PreStart"/>.</summary>
    protected virtual ValueTask PostRestart(Exception reason) => PreStart();

    internal ValueTask Handle(T message) => _behaviour is null ? Receive(message) : _behaviour(message);

    internal ValueTask RunPreStart() => PreStart();

    internal ValueTask RunPostStop() => PostStop();

    internal ValueTask RunPreRestart(Exception reason) => PreRestart(reason);

    internal ValueTask RunPostRestart(Exception reason) => PostRestart(reason);
}
