namespace Proxy.Actors.Streaming;

/// <summary>What a stream actor is told. A struct, so an upstream event costs no allocation beyond its pooled bytes.</summary>
public readonly struct StreamMessage
{
    private StreamMessage(StreamSignal signal, byte[]? data, int length, object? payload)
    {
        Signal = signal;
        Data = data;
        Length = length;
        Payload = payload;
    }

    internal StreamSignal Signal { get; }

    /// <summary>A pooled array holding an event's payload (returned to the pool once written).</summary>
    internal byte[]? Data { get; }

    internal int Length { get; }

    internal object? Payload { get; }

    internal static StreamMessage Event(byte[] data, int length) => new(StreamSignal.Event, data, length, null);

    internal static StreamMessage Of(StreamSignal signal, object? payload = null) => new(signal, null, 0, payload);

    public override string ToString() => Signal.ToString();
}

internal enum StreamSignal
{
    /// <summary>The opening phase ended (payload: <see cref="UpstreamOpening"/>).</summary>
    Opened,

    /// <summary>An attempt of the opening phase failed and will be retried (payload: the failure kind).</summary>
    AttemptFailed,

    /// <summary>One upstream event.</summary>
    Event,

    /// <summary>The upstream said <c>[DONE]</c>.</summary>
    Done,

    /// <summary>The upstream body ended without <c>[DONE]</c>.</summary>
    Ended,

    /// <summary>Reading the upstream failed (payload: the exception).</summary>
    ReadFailed,

    /// <summary>The periodic check of silences and deadlines.</summary>
    Tick,

    /// <summary>Held text has reached its age bound.</summary>
    HoldDue,

    /// <summary>The client went away.</summary>
    ClientAborted,

    /// <summary>The server is draining: end now with an error event.</summary>
    Draining,
}
