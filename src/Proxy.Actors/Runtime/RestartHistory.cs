namespace Proxy.Actors.Runtime;

/// <summary>When one actor was restarted, for the restart limit of its supervisor's strategy.</summary>
internal sealed class RestartHistory
{
    private readonly Queue<long> _timestamps = new();

    public int Count => _timestamps.Count;

    public void Add(long timestamp) => _timestamps.Enqueue(timestamp);

    /// <summary>Drops restarts that lie further than <paramref name="window"/> behind <paramref name="now"/>.</summary>
    public void ForgetBefore(long now, TimeSpan window, TimeProvider time)
    {
        while (_timestamps.TryPeek(out long oldest) && time.GetElapsedTime(oldest, now) >= window)
        {
            _timestamps.Dequeue();
        }
    }
}
