using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Actors.Upstream;
using Proxy.Web.Accounts;
using Proxy.Web.Configuration;
using Proxy.Web.Health;
using Proxy.Web.Hosting;
using Proxy.Web.Requests;

namespace Proxy.Web.Gateway;

/// <summary>
/// The composition of the request path: the Akka actor system (<see cref="AkkaSetup"/>) with one
/// breaker actor per account of the pool, the upstream client, the accounts and the handler.
/// </summary>
internal static class GatewayServices
{
    public const string AccountName = SingleAccountPool.AccountName;

    public static IServiceCollection AddGateway(this IServiceCollection services, ProxyOptions options, IConfiguration configuration)
    {
        services.AddSingleton(_ => StreamOptionsFrom(options));
        services.AddProxyAkka(configuration, (system, registry, sp) =>
        {
            // Each account's breaker actor, parent and supervisor of that account's stream actors.
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            var streamLog = loggers.CreateLogger<StreamActor>();
            var breakerLog = loggers.CreateLogger<CircuitBreakerActor>();
            var metrics = sp.GetRequiredService<ResilienceMetrics>();
            var pool = sp.GetRequiredService<UpstreamPool>();
            foreach (var account in pool.Upstreams)
            {
                account.Breaker.Start(system, job => StreamActor.Props(job, time, streamLog), breakerLog, metrics);
            }

            // The registry names one actor per type: the first account's breaker (the only one without an
            // accounts file). The request path reaches every breaker through its account, never by lookup.
            registry.Register<CircuitBreakerActor>(pool.Upstreams[0].Breaker.Actor);
        });
        services.AddSingleton(sp => new QwenUpstreamClient(
            UpstreamOptionsFrom(options),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<QwenUpstreamClient>>()));
        services.AddSingleton(sp => new ResilienceMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton(sp => CreatePool(sp, options));
        services.AddSingleton(sp => sp.GetRequiredService<UpstreamPool>().Accounts);
        services.AddSingleton(sp => sp.GetRequiredService<UpstreamPool>().Upstreams[0]);
        if (options.Pool.File is not null)
        {
            // Rotated keys in the accounts file apply without a restart.
            Func<string, string?> lookup = configuration is IConfigurationRoot root
                ? name => new ConfigLookup(root).Find(name)?.Value
                : name => configuration[name];
            services.AddSingleton(sp => new AccountsFileReloader(
                options.Pool,
                sp.GetRequiredService<UpstreamPool>(),
                lookup,
                options.QwenDir,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<AccountsFileReloader>>()));
            services.AddHostedService(sp => sp.GetRequiredService<AccountsFileReloader>());
        }

        services.Replace(ServiceDescriptor.Singleton<IChatCompletionsHandler, GatewayChatHandler>());
        services.Replace(ServiceDescriptor.Singleton<ICircuitStatusProvider, BreakerStatusProvider>());

        // With an API-key account in the pool, readiness is the pool's; a Qwen OAuth account alone keeps its token manager's.
        if (options.Pool.Accounts.Any(a => a.Kind == AccountKind.ApiKey))
        {
            services.Replace(ServiceDescriptor.Singleton<IReadinessProbe, PoolReadiness>());
            services.Replace(ServiceDescriptor.Singleton<IAccountStatusProvider, PoolReadiness>());
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

    /// <summary>One <see cref="UpstreamAccount"/> per account of the pool, each with its own breaker, retry and token source.</summary>
    private static UpstreamPool CreatePool(IServiceProvider services, ProxyOptions options)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var pool = new AccountPool(options.Pool, time, new AccountStateOptions { Cooldown = options.AccountCooldown }, loggers);
        AccountLog.Pool(loggers.CreateLogger("Proxy.Accounts"), options.Pool.Describe());
        var several = pool.Accounts.Count > 1;
        var upstreams = new UpstreamAccount[pool.Accounts.Count];
        foreach (var state in pool.Accounts)
        {
            var account = CreateAccount(services, options, state.Definition, several);
            upstreams[state.Index] = account;
            var tokens = several && state.Definition.Kind == AccountKind.QwenOAuth ? services.GetService<TokenManager>() : null;
            state.Probe = new AccountProbe(account, account.SharesCooldown, tokens);
            if (account.SharesCooldown && services.GetService<ICooldownStore>() is { } store)
            {
                SharedDeadMarks.Share(state, account.Gate.Cooldown, store, time, loggers.CreateLogger("Proxy.Accounts"));
            }
        }

        var metrics = services.GetRequiredService<Metrics.ProxyMetrics>();
        metrics.ObserveAccounts(
            () => pool.Accounts.Select(a => new System.Diagnostics.Metrics.Measurement<long>(a.InFlight, new KeyValuePair<string, object?>("account", a.Name))),
            () => pool.Accounts.Select(a => new System.Diagnostics.Metrics.Measurement<long>(
                (long)a.Check(time.GetUtcNow(), out _), new KeyValuePair<string, object?>("account", a.Name))));
        return new UpstreamPool(pool, upstreams);
    }

    private static UpstreamAccount CreateAccount(IServiceProvider services, ProxyOptions options, AccountDefinition definition, bool several)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var breaker = new CircuitBreaker(
            definition.Name,
            time,
            new BreakerOptions { MaxFailures = options.StreamingMaxErrors, MinimumThroughput = options.StreamingMaxErrors });
        var cluster = services.GetService<Actors.Cluster.PostgresCooldownStore>();
        var cooldown = new AccountCooldown(
            definition.Name,
            time,
            new CooldownOptions { DefaultCooldown = options.AccountCooldown < TimeSpan.FromHours(24) ? options.AccountCooldown : TimeSpan.FromHours(24) },
            services.GetService<ICooldownStore>(),
            loggers.CreateLogger<AccountCooldown>());
        cluster?.Attach(cooldown); // cluster mode: cooldowns other instances found

        // With several accounts a failing one is left for the next at once; alone, it is retried.
        // The metrics read the breaker's state, so they are looked up at the first retry, not here.
        var retry = RetryPipelines.Create(
            new RetryOptions { Budget = options.RequestTimeout, MaxRetryAttempts = several ? 0 : new RetryOptions().MaxRetryAttempts },
            time,
            loggers.CreateLogger("Proxy.Retry"),
            kind => services.GetRequiredService<Metrics.ProxyMetrics>().RecordRetry(kind));
        var tokens = definition.Kind == AccountKind.QwenOAuth
            ? services.GetRequiredService<ITokenSource>()
            : new ApiKeyTokenSource(definition.BaseUrl!, definition.ApiKey!);
        return new UpstreamAccount(
            definition.Name,
            tokens,
            new AccountGate(cooldown, breaker),
            services.GetRequiredService<QwenUpstreamClient>(),
            retry)
        {
            Headers = new AccountHeaders(definition.QwenHeaders, definition.Headers),
            SharesCooldown = cluster is not null,
        };
    }

    /// <summary>Each breaker's published state, for /health/detailed (never waits on the actor).</summary>
    private sealed class BreakerStatusProvider(UpstreamPool pool) : ICircuitStatusProvider
    {
        public IReadOnlyList<CircuitStatus> GetCircuits() => pool.Upstreams.Select(account =>
        {
            var snapshot = account.Breaker.Snapshot;
            var state = snapshot.State switch
            {
                Actors.Resilience.CircuitState.Open => Health.CircuitState.Open,
                Actors.Resilience.CircuitState.HalfOpen => Health.CircuitState.HalfOpen,
                _ => Health.CircuitState.Closed,
            };
            return new CircuitStatus(account.Name, state, snapshot.RecentFailures, snapshot.TrialAt);
        }).ToList();
    }

    /// <summary>
    /// The pool is ready while one account can serve. API-key accounts have nothing to refresh; a
    /// Qwen OAuth account among them reports its token manager's state.
    /// </summary>
    private sealed class PoolReadiness(ProxyOptions options, AccountPool pool, TimeProvider time, IServiceProvider services) : IReadinessProbe, IAccountStatusProvider
    {
        public ReadinessReport Check()
        {
            var now = time.GetUtcNow();
            if (!pool.CanServe())
            {
                return new(false, "no upstream account can serve: " + string.Join(", ", pool.Accounts.Select(a => a.Name + " " + a.Check(now, out _).ToWire())));
            }

            return options.AccountsFile is null
                ? new(true, "api key upstream " + options.UpstreamBaseUrl)
                : new(true, $"{pool.Accounts.Count(a => a.Check(now, out _) == AccountAvailability.Available)} of {pool.Accounts.Count} upstream accounts available");
        }

        public IReadOnlyList<AccountStatus> GetAccounts()
        {
            var tokens = services.GetService<TokenManager>();
            return pool.Accounts
                .SelectMany(a => a.Definition.Kind == AccountKind.QwenOAuth && tokens is not null
                    ? new Auth.TokenManagerAccountStatusProvider(tokens, time).GetAccounts().Select(s => s with { Id = a.Name })
                    : [new AccountStatus(a.Name, a.DeadReason is null ? "api_key" : "dead", null, a.Definition.Preset ?? Logging.Secrets.MaskUrl(a.Definition.BaseUrl))])
                .ToList();
        }
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
