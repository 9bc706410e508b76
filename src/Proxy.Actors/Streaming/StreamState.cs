namespace Proxy.Actors.Streaming;

/// <summary>The behaviours of a stream actor.</summary>
public enum StreamState
{
    /// <summary>Opening the upstream, waiting for its first event.</summary>
    Initial,

    /// <summary>Events flow; the repair is still gathering evidence of cumulative content.</summary>
    Stuttering,

    /// <summary>Events pass straight through.</summary>
    NormalFlow,

    /// <summary>An upstream failure is handled: retried before the first byte, reported after.</summary>
    Recovering,

    /// <summary>Flushing what is held and ending the response.</summary>
    Terminating,
}
