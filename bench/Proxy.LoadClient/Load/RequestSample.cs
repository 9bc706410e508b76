namespace Proxy.LoadClient.Load;

/// <summary>What one request did, timed from just before it was sent. Times in milliseconds.</summary>
internal sealed record RequestSample(
    bool Ok,
    int Status,
    string? Error,
    double TotalMs,
    double FirstByteMs,
    double? FirstTokenMs,
    int Events,
    IReadOnlyList<double> Gaps)
{
    /// <summary>Still open when the caller ended it on purpose (see <see cref="ReadMode.Release"/>).</summary>
    public bool Released { get; init; }

    /// <summary><c>error.code</c> of a non-200 answer's JSON body, when it has one (e.g. <c>circuit_open</c>).</summary>
    public string? ErrorCode { get; init; }
}
