namespace Proxy.Web.Logging;

internal sealed class RequestLogFeature(TimeProvider time, long startTimestamp) : IRequestLogFeature
{
    private long _firstTokenTimestamp;

    public bool IsStreaming { get; set; }

    /// <summary>The status the request ended with (499 when the client left), once it has.</summary>
    public int Status { get; set; }

    public string? Model { get; set; }

    public TimeSpan? TimeToFirstToken
    {
        get
        {
            var first = Interlocked.Read(ref _firstTokenTimestamp);
            return first == 0 ? null : time.GetElapsedTime(startTimestamp, first);
        }
    }

    public void MarkFirstToken()
    {
        var now = time.GetTimestamp();
        Interlocked.CompareExchange(ref _firstTokenTimestamp, now == 0 ? 1 : now, 0);
    }
}
