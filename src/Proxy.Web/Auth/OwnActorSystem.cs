using Proxy.Actors.Runtime;

namespace Proxy.Web.Auth;

/// <summary>The token manager's actor system when the host registers none; stopped when the container is disposed.</summary>
internal sealed class OwnActorSystem(TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    public ActorSystem System { get; } = new("qwen-auth", time, loggers);

    public ValueTask DisposeAsync() => System.DisposeAsync();
}
