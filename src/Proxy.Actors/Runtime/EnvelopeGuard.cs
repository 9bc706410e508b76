namespace Proxy.Actors.Runtime;

/// <summary>
/// Decides, on the actor's own loop, whether a runtime-made message (timer tick, death-watch
/// notice) is still wanted. A timer cancelled or replaced after its tick was queued is not.
/// </summary>
internal abstract class EnvelopeGuard
{
    /// <summary>True if the message would be delivered; changes nothing.</summary>
    public abstract bool IsCurrent(int generation);

    /// <summary>True if the message is to be delivered now; records the delivery.</summary>
    public abstract bool TryConsume(int generation);
}

/// <summary>Marks a message that only wakes the loop (stop or escalation pending).</summary>
internal sealed class WakeUpGuard : EnvelopeGuard
{
    public static readonly WakeUpGuard Instance = new();

    public override bool IsCurrent(int generation) => false;

    public override bool TryConsume(int generation) => false;
}
