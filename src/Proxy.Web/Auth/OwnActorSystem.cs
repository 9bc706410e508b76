using Akka.Actor;

namespace Proxy.Web.Auth;

/// <summary>
/// The token manager's actor system when the host registers none (the <c>login</c> command);
/// terminated when the container is disposed.
/// </summary>
internal sealed class OwnActorSystem : IAsyncDisposable
{
    public ActorSystem System { get; } = ActorSystem.Create("qwen-auth", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().ConfigureAwait(false);
        System.Dispose();
    }
}
