namespace Proxy.LoadClient.Report;

/// <summary>
/// The soak step: a steady mix of requests, cancels and upstream faults against the proxy for a
/// while, its resources sampled throughout, their trends after the warm-up, what was still open
/// once the load stopped, and every request's outcome.
/// </summary>
internal sealed record SoakResult(
    double Minutes,
    double WarmupSeconds,
    double SampleSeconds,
    int Concurrency,
    string Scenario,
    string Mix,
    SoakCounts Counts,
    IReadOnlyList<string> UnexpectedErrors,
    IReadOnlyList<SoakTrend> Trends,
    SoakAfter After,
    IReadOnlyList<SoakSample> Samples);

/// <summary>
/// Outcomes of every request sent. Meant to fail: <see cref="Cancelled"/> (the client cut the stream
/// itself) and <see cref="FaultBroke"/> (an injected upstream fault broke the request the way it
/// should). <see cref="FaultNotSeen"/>: a faulted request the client got as a success, an upstream
/// failure passed off as an answer. <see cref="FailedOtherwise"/>: any other failure.
/// </summary>
internal sealed record SoakCounts(
    long Requests,
    long Streaming,
    long Faulted,
    long CancelsPlanned,
    long Succeeded,
    long Cancelled,
    long FaultBroke,
    long FaultNotSeen,
    long FailedOtherwise)
{
    public long MeantToFail => Cancelled + FaultBroke;
}

/// <summary>One resource read off the proxy, <see cref="Seconds"/> after the load started; null when the read failed.</summary>
internal sealed record SoakSample(double Seconds, long? RssKb, long? GcHeapBytes, int? Threads, int? Fds, long? Streams);

/// <summary>
/// One resource's least-squares line over the samples after the warm-up, per minute. The noise band is
/// twice the samples' standard deviation around the line; the floor, a fixed allowance for the metric
/// (a thread or a few descriptors the runtime adds once). Flat: the line's growth across the window is
/// within the larger of the two (null: too few samples to tell). Judged: false when the window is too
/// short for this metric to say anything (RSS, see <see cref="Soak.SoakJudge.RssJudgedFromMinutes"/>);
/// such a trend is shown, never counted as a miss.
/// </summary>
internal sealed record SoakTrend(
    string Metric,
    string Unit,
    int Samples,
    double? Start,
    double? End,
    double? SlopePerMinute,
    double? SlopeError,
    double? NoiseBand,
    double Floor,
    double? Growth,
    bool? Flat)
{
    public bool Judged { get; init; } = true;
}

/// <summary>
/// The proxy once the load stopped and its connections had a moment to close, against its idle
/// state before the load. Left open: streams still counted as active, or descriptors above idle
/// beyond the slack. <see cref="NewFds"/>: when left open, what the descriptors opened since idle point at.
/// </summary>
internal sealed record SoakAfter(
    long? Streams,
    int? Fds,
    int? IdleFds,
    int? Threads,
    int? IdleThreads,
    long? RssKb,
    long? IdleRssKb,
    double SettleSeconds,
    bool LeftOpen,
    IReadOnlyList<string>? NewFds = null);
