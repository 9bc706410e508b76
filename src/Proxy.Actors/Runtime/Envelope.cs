namespace Proxy.Actors.Runtime;

/// <summary>
/// One mailbox entry. A user message has no guard; timer ticks and death-watch notices carry
/// the guard that decides whether they are still current; a wake-up carries <see cref="WakeUpGuard"/>.
/// </summary>
internal readonly struct Envelope<T>
{
    public Envelope(T message)
    {
        Message = message;
        Guard = null;
        Generation = 0;
    }

    public Envelope(T message, EnvelopeGuard guard, int generation)
    {
        Message = message;
        Guard = guard;
        Generation = generation;
    }

    public T Message { get; }

    public EnvelopeGuard? Guard { get; }

    public int Generation { get; }

    public static Envelope<T> WakeUp => new(default!, WakeUpGuard.Instance, 0);
}
