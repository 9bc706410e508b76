namespace Proxy.LoadClient.Load;

/// <summary>
/// Counts streams that have their response headers and are still reading, the most seen at once,
/// and how many requests have settled their opening (got headers, or failed before them).
/// </summary>
internal sealed class StreamGauge
{
    private int _open;
    private int _peak;
    private int _settled;

    public int Open => Volatile.Read(ref _open);

    public int Peak => Volatile.Read(ref _peak);

    public int Settled => Volatile.Read(ref _settled);

    public void FailedToOpen() => Interlocked.Increment(ref _settled);

    public void Opened()
    {
        Interlocked.Increment(ref _settled);
        var now = Interlocked.Increment(ref _open);
        var peak = Volatile.Read(ref _peak);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    public void Closed() => Interlocked.Decrement(ref _open);
}
