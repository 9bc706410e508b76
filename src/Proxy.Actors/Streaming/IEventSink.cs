namespace Proxy.Actors.Streaming;

/// <summary>Where the repair puts the events it lets through: one JSON payload per call.</summary>
internal interface IEventSink
{
    void WriteEvent(ReadOnlySpan<byte> payload);
}
