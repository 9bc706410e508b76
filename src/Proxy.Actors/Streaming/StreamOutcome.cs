using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

/// <summary>How a stream ended. When <see cref="ResponseStarted"/> is false nothing was written and the
/// caller answers with the failure's HTTP status.</summary>
public sealed record StreamOutcome(
    FailureKind Failure,
    bool ResponseStarted,
    int UpstreamStatus,
    string? Message,
    string? Code,
    TimeSpan? RetryAfter,
    int EventsOut,
    long BytesOut,
    TimeSpan? TimeToFirstToken,
    int Repairs,
    int MalformedEvents,
    int Attempts)
{
    public bool IsSuccess => Failure == FailureKind.None;

    /// <summary>Model, finish reasons and usage as the stream reported them; null when no chunk carried any.</summary>
    public CompletionSummary? Summary { get; init; }

    /// <summary>A stream that ended before it could write or count anything.</summary>
    public static StreamOutcome Failed(FailureKind failure, bool responseStarted, string message) =>
        new(failure, responseStarted, 0, message, null, null, 0, 0, null, 0, 0, 0);
}
