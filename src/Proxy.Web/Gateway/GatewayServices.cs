using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Actors.Upstream;
using Proxy.Web.Configuration;
using Proxy.Web.Health;
using Proxy.Web.Hosting;
using Proxy.Web.Requests;

namespace Proxy.Web.Gateway;

/// <summary>
/// The composition of the request path: the Akka actor system (<see cref="AkkaSetup"/>) with the
/// account's breaker actor, the upstream client, the account and its handler.
/// </summary>
internal static class GatewayServices
{
    public const string AccountName = "qwen";

    public static IServiceCollection AddGateway(this IServiceCollection services, ProxyOptions options, IConfiguration configuration)
    {
        services.AddSingleton(_ => StreamOptionsFrom(options, configuration));
        services.AddSingleton(sp => new CircuitBreaker(
            AccountName,
            sp.GetRequiredService<TimeProvider>(),
            new BreakerOptions { MaxFailures = options.StreamingMaxErrors, MinimumThroughput = options.StreamingMaxErrors }));
        services.AddProxyAkka(configuration, (system, registry, sp) =>
        {
            // The account's breaker, parent and supervisor of its stream actors.
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var streamLog = loggers.CreateLogger<StreamActor>();
            var breaker = sp.GetRequiredService<CircuitBreaker>().Start(
                system,
                job => StreamActor.Props(job, time, streamLog),
                loggers.CreateLogger<CircuitBreakerActor>(),
                sp.GetRequiredService<ResilienceMetrics>());
            registry.Register<CircuitBreakerActor>(breaker);
        });
        services.AddSingleton(sp => new QwenUpstreamClient(
            UpstreamOptionsFrom(options),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QwenUpstreamClient>>()));
        services.AddSingleton(sp => new ResilienceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => CreateAccount(sp, options));
        services.Replace(ServiceDescriptor.Singleton<IChatCompletionsHandler, GatewayChatHandler>());
        services.Replace(ServiceDescriptor.Singleton<ICircuitStatusProvider, BreakerStatusProvider>());

        if (options.UpstreamMode == UpstreamMode.ApiKey)
        {
            services.Replace(ServiceDescriptor.Singleton<ITokenSource>(new ApiKeyTokenSource(options.UpstreamBaseUrl!, options.UpstreamApiKey ?? string.Empty)));
            services.Replace(ServiceDescriptor.Singleton<IReadinessProbe, ApiKeyReadiness>());
            services.Replace(ServiceDescriptor.Singleton<IAccountStatusProvider, ApiKeyReadiness>());
        }

        return services;
    }

    /// <summary>
    /// Stream limits from configuration. <c>STUTTER_REPAIR=false</c> turns the repair off (to measure
    /// it); <c>STREAM_KEEPALIVE_SECONDS</c> sets the keep-alive comment interval (0 turns it off).
    /// </summary>
    internal static StreamOptions StreamOptionsFrom(ProxyOptions options, IConfiguration configuration)
    {
        var repair = configuration["STUTTER_REPAIR"];
        var keepAlive = configuration["STREAM_KEEPALIVE_SECONDS"];
        var defaults = StreamOptions.Default;
        return new StreamOptions
        {
            ReadTimeout = options.StreamIdleTimeout,
            FirstByteTimeout = options.StreamIdleTimeout,
            StreamTimeout = options.StreamingTimeout,
            KeepAliveInterval = keepAlive is not null && double.TryParse(keepAlive, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : defaults.KeepAliveInterval,
            CheckInterval = TimeSpan.FromSeconds(Math.Clamp(options.StreamIdleTimeout.TotalSeconds / 4, 0.05, 1)),
            RepairEnabled = repair is null || !bool.TryParse(repair, out var on) || on,
        }.WithBufferSize(options.StreamingBufferSize).WithMaxHoldTime(options.StutterMaxHold);
    }

    private static UpstreamAccount CreateAccount(IServiceProvider services, ProxyOptions options)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        // The breaker actor is spawned with the actor system; the request path only tells it.
        _ = services.GetRequiredService<IRequiredActor<CircuitBreakerActor>>().ActorRef;
        var breaker = services.GetRequiredService<CircuitBreaker>();
        var cooldown = new AccountCooldown(AccountName, time, new CooldownOptions(), services.GetService<ICooldownStore>(), loggers.CreateLogger<AccountCooldown>());
        services.GetService<Actors.Cluster.PostgresCooldownStore>()?.Attach(cooldown); // cluster mode: cooldowns other instances found
        // The metrics read the breaker's state, so they are looked up at the first retry, not here.
        var retry = RetryPipelines.Create(
            new RetryOptions { Budget = options.RequestTimeout },
            time,
            loggers.CreateLogger("Proxy.Retry"),
            kind => services.GetRequiredService<Metrics.ProxyMetrics>().RecordRetry(kind));
        return new UpstreamAccount(
            AccountName,
            services.GetRequiredService<ITokenSource>(),
            new AccountGate(cooldown, breaker),
            services.GetRequiredService<QwenUpstreamClient>(),
            retry);
    }

    /// <summary>The breaker's published state, for /health/detailed (never waits on the actor).</summary>
    private sealed class BreakerStatusProvider(UpstreamAccount account) : ICircuitStatusProvider
    {
        public IReadOnlyList<CircuitStatus> GetCircuits()
        {
            var snapshot = account.Breaker.Snapshot;
            var state = snapshot.State switch
            {
                Actors.Resilience.CircuitState.Open => Health.CircuitState.Open,
                Actors.Resilience.CircuitState.HalfOpen => Health.CircuitState.HalfOpen,
                _ => Health.CircuitState.Closed,
            };
            return [new CircuitStatus(account.Name, state, snapshot.RecentFailures, snapshot.TrialAt)];
        }
    }

    /// <summary>An API-key upstream is usable as long as the proxy runs: there is nothing to refresh.</summary>
    private sealed class ApiKeyReadiness(ProxyOptions options) : IReadinessProbe, IAccountStatusProvider
    {
        public ReadinessReport Check() => new(true, "api key upstream " + options.UpstreamBaseUrl);

        public IReadOnlyList<AccountStatus> GetAccounts() => [new AccountStatus(AccountName, "api_key", null, options.UpstreamBaseUrl?.ToString())];
    }

    /// <summary>The upstream connection settings: pool size, idle timeout and HTTP version.</summary>
    internal static UpstreamOptions UpstreamOptionsFrom(ProxyOptions options) => new()
    {
        PooledConnectionIdleTimeout = options.IdleConnTimeout,
        MaxConnectionsPerServer = options.MaxConnsPerHost == 0 ? int.MaxValue : options.MaxConnsPerHost,
        HttpVersion = options.UpstreamHttpVersion == UpstreamHttpVersion.Http11 ? System.Net.HttpVersion.Version11 : System.Net.HttpVersion.Version20,
        VersionPolicy = options.UpstreamHttpVersion == UpstreamHttpVersion.Auto ? HttpVersionPolicy.RequestVersionOrLower : HttpVersionPolicy.RequestVersionExact,
        ClientVersion = ProxyInfo.Version,
    };
}
