using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Runtime;

public static class ActorSystemServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="ActorSystem"/> (with the container's <see cref="TimeProvider"/> and
    /// <see cref="ILoggerFactory"/> when registered) and a hosted service that stops it on shutdown.
    /// Hosted services stop in reverse order of registration, so call this before adding services
    /// that still use actors while they stop.
    /// </summary>
    public static IServiceCollection AddActorSystem(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ActorSystem.ValidateName(name);
        services.AddSingleton(provider => new ActorSystem(
            name,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<ILoggerFactory>()));
        services.AddHostedService<ActorSystemHostedService>();
        return services;
    }
}
