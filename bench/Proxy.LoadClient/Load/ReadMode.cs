namespace Proxy.LoadClient.Load;

/// <summary>How <see cref="RequestRunner"/> reads a response body.</summary>
/// <param name="StopAtFirstToken">Give up the body once the first text arrived (time-to-first-token samples).</param>
/// <param name="RecordGaps">Keep the gap between every two events.</param>
/// <param name="Gauge">Counts the request as an open stream while its body is being read.</param>
/// <param name="Release">Cancelled by the caller to end a stream it has held long enough: a stream that is
/// still open and sound then counts as good (<see cref="RequestSample.Released"/>).</param>
internal sealed record ReadMode(
    bool StopAtFirstToken = false,
    bool RecordGaps = false,
    StreamGauge? Gauge = null,
    CancellationToken Release = default)
{
    /// <summary>Read to the end.</summary>
    public static ReadMode Whole { get; } = new();

    /// <summary>Stop at the first text.</summary>
    public static ReadMode FirstToken { get; } = new(StopAtFirstToken: true);
}
