using Proxy.Actors.Streaming;

namespace Proxy.Actors.Resilience;

/// <summary>
/// Start the stream actor of one request as a child, admitted in <paramref name="Epoch"/>; its one
/// outcome completes <paramref name="Outcome"/>. Told, never asked: the edge awaits the outcome, not the spawn.
/// </summary>
internal sealed record StartStream(StreamJob Job, long Epoch, TaskCompletionSource<StreamOutcome> Outcome);

/// <summary>A request admitted in <paramref name="Epoch"/> ended with <paramref name="Outcome"/> (<see cref="FailureKind.None"/>: success).</summary>
internal sealed record OutcomeReported(FailureKind Outcome, long Epoch);

/// <summary>A child stream's one report of how it ended (sent by the stream actor to its parent).</summary>
internal sealed record StreamEnded(StreamOutcome Outcome);

/// <summary>Reply with the snapshot once every earlier message is handled (tests and diagnostics, never the request path).</summary>
internal sealed class GetSnapshot
{
    public static readonly GetSnapshot Instance = new();

    private GetSnapshot()
    {
    }
}

/// <summary>The open period of <paramref name="Epoch"/> is over: let one trial through.</summary>
internal sealed record TrialDue(long Epoch);

/// <summary>Has the trial of <paramref name="Epoch"/> been silent too long?</summary>
internal sealed record TrialCheck(long Epoch);
