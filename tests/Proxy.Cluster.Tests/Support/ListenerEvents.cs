using Proxy.Actors.Cluster;

namespace Proxy.Cluster.Tests.Support;

/// <summary>A listener handler that only records: each connect (with the backend it got) and each loss.</summary>
internal sealed class ListenerEvents : INotificationHandler
{
    private int _connects;
    private int _losses;

    /// <summary>The running count of connects, one entry per connect (1, 2, ...).</summary>
    public Recorder<int> Connected { get; } = new();

    /// <summary>The running count of losses, one entry per loss (1, 2, ...).</summary>
    public Recorder<int> Disconnected { get; } = new();

    public Task OnConnectedAsync(CancellationToken cancellationToken)
    {
        Connected.Add(Interlocked.Increment(ref _connects));
        return Task.CompletedTask;
    }

    public void OnDisconnected() => Disconnected.Add(Interlocked.Increment(ref _losses));

    public Task OnNotificationAsync(string channel, string payload, CancellationToken cancellationToken) => Task.CompletedTask;
}
