namespace Proxy.Cluster.Tests.Support;

/// <summary>Records values from any thread and lets a test await the first that matches.</summary>
internal sealed class Recorder<T>
{
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly List<(Func<T, bool> Predicate, TaskCompletionSource<T> Signal)> _waiters = [];

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }
    }

    public void Add(T item)
    {
        List<TaskCompletionSource<T>> matched = [];
        lock (_gate)
        {
            _items.Add(item);
            _waiters.RemoveAll(waiter =>
            {
                if (!waiter.Predicate(item))
                {
                    return false;
                }

                matched.Add(waiter.Signal);
                return true;
            });
        }

        foreach (var signal in matched)
        {
            signal.TrySetResult(item);
        }
    }

    /// <summary>The first recorded value (already, or from now on) that matches; fails after <paramref name="within"/> of real time.</summary>
    public Task<T> WaitForAsync(Func<T, bool> predicate, TimeSpan? within = null)
    {
        var signal = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var item in _items)
            {
                if (predicate(item))
                {
                    return Task.FromResult(item);
                }
            }

            _waiters.Add((predicate, signal));
        }

        return signal.Task.WaitAsync(within ?? DefaultWithin);
    }
}
