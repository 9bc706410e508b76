namespace Proxy.Actors.Runtime;

/// <summary>How an actor treats its children when they fail.</summary>
public abstract class SupervisorStrategy
{
    private protected SupervisorStrategy()
    {
    }

    /// <summary>Restart on any exception, at most 10 times a minute; beyond that, Stop.</summary>
    public static SupervisorStrategy Default { get; } =
        new OneForOneStrategy(10, TimeSpan.FromMinutes(1), static _ => Directive.Restart);

    /// <summary>Stop on any exception.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } =
        new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, static _ => Directive.Stop);

    /// <summary>The directive for a child that threw <paramref name="error"/>.</summary>
    internal abstract Directive Decide(Exception error);

    /// <summary>Records a restart now if the limit allows it.</summary>
    internal abstract bool TryRecordRestart(RestartHistory history, TimeProvider time);
}
