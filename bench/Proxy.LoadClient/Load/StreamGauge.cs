namespace Proxy.LoadClient.Load;

/// <summary>Counts streams that have their response headers and are still reading, and the most seen at once.</summary>
internal sealed class StreamGauge
{
    private int _open;
    private int _peak;

    public int Open => Volatile.Read(ref _open);

    public int Peak => Volatile.Read(ref _peak);

    public void Opened()
    {
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
