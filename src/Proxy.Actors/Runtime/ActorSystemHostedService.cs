using Microsoft.Extensions.Hosting;

namespace Proxy.Actors.Runtime;

/// <summary>Stops the actor system, and so every actor's PostStop, when the host shuts down.</summary>
internal sealed class ActorSystemHostedService : IHostedService
{
    private readonly ActorSystem _system;

    public ActorSystemHostedService(ActorSystem system) => _system = system;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _system.StopAsync(cancellationToken);
}
