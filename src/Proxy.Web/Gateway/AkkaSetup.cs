using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;

namespace Proxy.Web.Gateway;

/// <summary>
/// The Akka.NET actor system of the proxy, through Akka.Hosting: Akka's own settings from
/// <c>hocon/akka.conf</c> (copied next to the binaries), overridden by any <c>akka__…</c>
/// configuration key (an environment variable in the dashed form, e.g.
/// <c>akka__actor__default-dispatcher__throughput=50</c>), Akka's log through Serilog, and the
/// actors the request path needs, registered in the <see cref="ActorRegistry"/>.
/// </summary>
internal static class AkkaSetup
{
    public const string SystemName = "qwen-proxy";

    /// <summary>Where the HOCON file is read from.</summary>
    public static string HoconPath => Path.Combine(AppContext.BaseDirectory, "hocon", "akka.conf");

    public static IServiceCollection AddProxyAkka(this IServiceCollection services, IConfiguration configuration, Action<ActorSystem, IActorRegistry, IServiceProvider> startActors)
    {
        if (services.Any(d => d.ServiceType == typeof(ActorSystem)))
        {
            throw new InvalidOperationException("An actor system is already registered; the gateway adds its own.");
        }

        services.AddAkka(SystemName, (builder, provider) =>
        {
            builder.AddHoconFile(HoconPath, HoconAddMode.Append);
            if (AkkaOverrides(configuration) is { } overrides)
            {
                builder.AddHocon(overrides, HoconAddMode.Prepend);
            }

            builder.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<SerilogLogger>();
            });
            builder.WithActors((system, registry) => startActors(system, registry, provider));
        });
        return services;
    }

    /// <summary>The <c>akka:…</c> keys of the configuration (environment variables <c>akka__…</c>), or null when there are none.</summary>
    internal static IConfiguration? AkkaOverrides(IConfiguration configuration)
    {
        var keys = configuration.AsEnumerable()
            .Where(pair => pair.Value is not null && pair.Key.StartsWith("akka:", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return keys.Count == 0 ? null : new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
    }
}
