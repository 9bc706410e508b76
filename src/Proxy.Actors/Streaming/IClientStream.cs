using System.IO.Pipelines;

namespace Proxy.Actors.Streaming;

/// <summary>The client side of a stream: implemented by the web host over its HTTP response.</summary>
public interface IClientStream
{
    /// <summary>True once <see cref="Start"/> ran: from then on failures are told in-band.</summary>
    bool HasStarted { get; }

    /// <summary>Sets 200 and the event-stream headers. Idempotent.</summary>
    void Start();

    /// <summary>The response body. Only the stream actor writes to it.</summary>
    PipeWriter Writer { get; }
}
