using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Soak;

/// <summary>How one soak request ended, as <see cref="Report.SoakCounts"/> counts it.</summary>
internal enum SoakOutcome
{
    Succeeded,

    /// <summary>The client cut the stream while it was sound.</summary>
    Cancelled,

    /// <summary>The injected fault broke the request the way the client should see it.</summary>
    FaultBroke,

    /// <summary>A faulted request the client got as a success.</summary>
    FaultNotSeen,

    /// <summary>Any failure no fault or cancel accounts for.</summary>
    FailedOtherwise,
}

/// <summary>Judges one request's sample against what its kind was meant to do.</summary>
internal static class SoakOutcomes
{
    /// <summary>The proxy's refusal while its breaker is open: never what a single request's fault explains.</summary>
    public const string CircuitOpen = "circuit_open";

    public static SoakOutcome Classify(SoakKind kind, RequestSample sample)
    {
        if (kind.Fault is null)
        {
            // A cut that came before the answer's headers (a slow moment) is the client's doing as
            // much as one inside the stream; an error status or event before the cut is not.
            if (kind.Cancel && sample.Released && (sample.Ok || sample.Status == 0))
            {
                return SoakOutcome.Cancelled;
            }

            return sample.Ok ? SoakOutcome.Succeeded : SoakOutcome.FailedOtherwise;
        }

        if (sample.Ok)
        {
            return SoakOutcome.FaultNotSeen;
        }

        // A fault inside a stream arrives after the 200 went out: the stream must break (an error
        // event, no [DONE], or a cut connection). Any other fault comes before the answer: the
        // client must get an error status, and not the breaker's refusal.
        var broke = kind.FaultsInsideStream
            ? sample.Status == 200
            : sample.Status >= 400 && sample.ErrorCode != CircuitOpen;
        return broke ? SoakOutcome.FaultBroke : SoakOutcome.FailedOtherwise;
    }
}
