using Polly;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>Everything a stream actor needs for one request.</summary>
/// <param name="RequestId">For log lines.</param>
/// <param name="Open">One upstream attempt (send, headers, classification).</param>
/// <param name="Client">The response to write to.</param>
/// <param name="Options">Timeouts and repair limits.</param>
/// <param name="RequestAborted">The client's disconnect.</param>
/// <param name="Retry">Retries of the opening phase (until the first event), while nothing reached the client.</param>
/// <param name="Translator">Writes another protocol's frames in place of chat chunks; null for chat completions.</param>
public sealed record StreamJob(
    string RequestId,
    UpstreamCall Open,
    IClientStream Client,
    StreamOptions Options,
    CancellationToken RequestAborted,
    ResiliencePipeline? Retry = null,
    IStreamTranslator? Translator = null)
{
    /// <summary>Ends streams still open when the server drains (shutdown): they get an error event.</summary>
    public CancellationToken Draining { get; init; }
}
