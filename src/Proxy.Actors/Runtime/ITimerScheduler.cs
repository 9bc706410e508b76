namespace Proxy.Actors.Runtime;

/// <summary>
/// Named timers that send the actor a message, on the system's <see cref="TimeProvider"/>.
/// Starting a timer replaces the one with the same key. A cancelled or replaced timer never
/// delivers, even if its tick is already queued. Use it only from the actor's own messages.
/// </summary>
public interface ITimerScheduler<T>
{
    void StartSingleTimer(object key, T message, TimeSpan delay);

    void StartPeriodicTimer(object key, T message, TimeSpan interval);

    void StartPeriodicTimer(object key, T message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>True from start until a single timer's message is delivered, or until cancelled.</summary>
    bool IsTimerActive(object key);

    void Cancel(object key);

    /// <summary>Cancels every timer; done automatically on stop and restart.</summary>
    void CancelAll();
}
