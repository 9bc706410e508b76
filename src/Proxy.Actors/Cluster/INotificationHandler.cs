namespace Proxy.Actors.Cluster;

/// <summary>What the shared stores hear from <see cref="NotificationListener"/>. Called one at a time on the listener's loop.</summary>
internal interface INotificationHandler
{
    /// <summary>The listener (re)connected and listens again: read what may have changed while it was away.</summary>
    Task OnConnectedAsync(CancellationToken cancellationToken);

    /// <summary>The listener lost its connection: notifications may be missed until the next <see cref="OnConnectedAsync"/>.</summary>
    void OnDisconnected();

    /// <summary>A notification arrived on one of the listener's channels.</summary>
    Task OnNotificationAsync(string channel, string payload, CancellationToken cancellationToken);
}
