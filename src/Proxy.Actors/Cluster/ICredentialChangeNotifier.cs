using Proxy.Actors.Auth;

namespace Proxy.Actors.Cluster;

/// <summary>
/// Tells a token manager at once that the shared credential changed: another instance refreshed
/// it, or a login on any instance wrote a new one. No polling: in cluster mode the change arrives
/// by PostgreSQL <c>NOTIFY</c>, and after a lost connection by a re-read when it is back.
/// </summary>
internal interface ICredentialChangeNotifier
{
    /// <summary>
    /// Calls <paramref name="onChanged"/> with each newer credential. It runs on a background thread
    /// and must not block (an actor just <c>Tell</c>s itself). A refresh this instance ran under
    /// <see cref="Auth.ICredentialStore.RunUnderRefreshLockAsync{T}"/> is not announced back to it.
    /// Dispose the result to stop.
    /// </summary>
    IDisposable Subscribe(Action<QwenCredentials> onChanged);
}
