using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;
using Proxy.Actors.Runtime;
using Proxy.Actors.Streaming;
using Proxy.Actors.Upstream;
using Proxy.Web.Configuration;
using Proxy.Web.Health;
using Proxy.Web.Hosting;
using Proxy.Web.Requests;

namespace Proxy.Web.Gateway;

/// <summary>The composition of the request path: actor system, upstream client, the account and its handler.</summary>
internal static class GatewayServices
{
    public const string AccountName = "qwen";

    public static IServiceCollection AddGateway(this IServiceCollection services, ProxyOptions options, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(ActorSystem)))
        {
            services.AddActorSystem("qwen-proxy");
        }

        services.AddSingleton(_ => StreamOptionsFrom(options));
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

    /// <summary>Stream limits from the validated options (STUTTER_REPAIR, STREAM_KEEPALIVE_SECONDS among them).</summary>
    internal static StreamOptions StreamOptionsFrom(ProxyOptions options) => new StreamOptions
    {
        ReadTimeout = options.StreamIdleTimeout,
        FirstByteTimeout = options.StreamIdleTimeout,
        StreamTimeout = options.StreamingTimeout,
        KeepAliveInterval = options.StreamKeepAlive,
        CheckInterval = TimeSpan.FromSeconds(Math.Clamp(options.StreamIdleTimeout.TotalSeconds / 4, 0.05, 1)),
        RepairEnabled = options.StutterRepair,
    }.WithBufferSize(options.StreamingBufferSize).WithMaxHoldTime(options.StutterMaxHold);

    private static UpstreamAccount CreateAccount(IServiceProvider services, ProxyOptions options)
    {
        var system = services.GetRequiredService<ActorSystem>();
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var breaker = CircuitBreaker<GatewayStream, StreamMessage>.Start(
            system,
            AccountName,
            new BreakerOptions { MaxFailures = options.StreamingMaxErrors },
            UpstreamAccount.CreateStream,
            services.GetRequiredService<ResilienceMetrics>());
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
            breaker,
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
