using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Proxy.Actors.Cluster;
using Proxy.Web.Auth;
using Proxy.Web.Configuration;
using Proxy.Web.Endpoints;
using Proxy.Web.Errors;
using Proxy.Web.Gateway;
using Proxy.Web.Health;
using Proxy.Web.Hosting;
using Proxy.Web.Logging;
using Proxy.Web.Metrics;
using Proxy.Web.Models;
using Proxy.Web.Protocols;
using Proxy.Web.Protocols.Anthropic;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;
using Proxy.Web.Security;
using Proxy.Web.Telemetry;
using Serilog;

namespace Proxy.Web;

/// <summary>
/// Builds the proxy's web host: configuration, logging, middleware and endpoints. Used by
/// <see cref="Program"/> and by tests (which pass <c>--SERVER_PORT=0</c> and read <c>app.Urls</c>).
/// </summary>
public static class ProxyHost
{
    /// <summary>
    /// Builds (does not start) the host. Throws <see cref="ProxyConfigurationException"/> for a bad
    /// configuration value before anything is created; the same options are registered with the
    /// Options pattern and validated again when the host starts.
    /// </summary>
    /// <param name="args">Command-line arguments (<c>--config FILE.json</c>, <c>--SERVER_PORT 9000</c>, ...).</param>
    /// <param name="configureServices">Runs last, so it can replace any default registration.</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null) =>
        Build(args, configureServices, new ProxyHostOverrides());

    internal static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices, ProxyHostOverrides overrides)
    {
        var configuration = ProxyConfigurationLoader.Load(args, overrides.AppSettingsPath, overrides.Environment);
        var options = ProxyOptionsParser.Parse(configuration);
        var certificate = options.EnableTls ? TlsCertificateLoader.Load(options) : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);

        var logger = LoggingSetup.CreateLogger(options, overrides.LogOutput);
        builder.Host.UseSerilog(logger, dispose: true);
        // Akka's own log (Akka.Logger.Serilog) writes to Serilog's shared logger: this host's.
        Log.Logger = logger;

        builder.WebHost.ConfigureKestrel(kestrel => KestrelSetup.Configure(kestrel, options, certificate));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout + ShutdownDrain.FinalGrace);
        builder.Services.AddProxyOptions(configuration);
        AddServices(builder.Services, options);
        builder.Services.AddProxyTelemetry(configuration);
        var auth = options.ToQwenAuthOptions();
        if (options.PostgresConnectionString is { } postgres)
        {
            // Before AddQwenAuth, which adds the file store only when no other store is registered. Pools of
            // API keys take part too: their cooldowns and dead marks are shared.
            var import = options.UpstreamMode == UpstreamMode.QwenOAuth ? auth.CredentialFilePath : null;
            builder.Services.AddPostgresCluster(new ClusterOptions { ConnectionString = postgres }, import, auth.AccountName);
        }

        if (options.UpstreamMode == UpstreamMode.QwenOAuth)
        {
            builder.Services.AddQwenAuth(auth);
        }

        builder.Services.AddGateway(options, configuration);
        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => CorsSetup.Configure(policy, options)));
        }

        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ProxyHost).FullName!);
        ProxyLog.Configuration(log, ProxyOptionsDescriber.Describe(options));
        if (!options.IsLoopbackBind && !options.RequiresClientKey)
        {
            ProxyLog.Unauthenticated(log, options.Host);
        }

        // Created now, not on first use: uptime counts from start, the metrics are published before
        // the first scrape and the drain hears "stopping".
        app.Services.GetRequiredService<Uptime>();
        app.Services.GetRequiredService<ProxyMetrics>();
        app.Services.GetRequiredService<ShutdownDrain>();
        app.Services.GetService<UpstreamPool>(); // the accounts' breakers, and the pool's line in the log
        app.Lifetime.ApplicationStarted.Register(() => ProxyLog.Listening(log, ProxyInfo.Version, string.Join(", ", app.Urls)));

        ConfigurePipeline(app, options, logger);
        return app;
    }

    private static void AddServices(IServiceCollection services, ProxyOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Uptime>();
        services.AddSingleton<ShutdownDrain>();
        services.AddSingleton(sp => new ProxyMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), new DeferredCircuitStatusProvider(sp)));
        services.AddSingleton<GenAiCalls>();
        services.AddSingleton<ClientKeys>();
        services.AddSingleton<ClientRateLimiter>();
        services.AddSingleton<StreamConcurrencyLimiter>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<UpstreamModels>();
        services.AddHttpClient(UpstreamModels.HttpClientName);
        services.AddSingleton<ModelMapper>();
        services.AddSingleton<ChatRequestReader>();
        services.AddSingleton<HealthReporter>();
        services.AddSingleton<IReadinessProbe, DefaultReadinessProbe>();
        services.AddSingleton<IAccountStatusProvider, DefaultAccountStatusProvider>();
        services.AddSingleton<ICircuitStatusProvider, NoCircuitStatusProvider>();
        services.AddSingleton<IChatCompletionsHandler, UnavailableChatCompletionsHandler>();
        services.AddClientProtocols();
    }

    private static void ConfigurePipeline(WebApplication app, ProxyOptions options, Serilog.ILogger logger)
    {
        if (options.TrustedProxies.Count > 0)
        {
            app.UseForwardedHeaders(TrustedProxies.ForwardedHeaders(options));
        }

        app.UseMiddleware<RequestIdMiddleware>();
        app.UseSerilogRequestLogging(requestLog => RequestLogging.Configure(requestLog, logger));
        app.UseMiddleware<RequestLogMiddleware>(logger);
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<ExceptionHandlingMiddleware>();
        app.UseStatusCodePages(context => StatusCodeEnvelope.WriteAsync(context.HttpContext));
        app.UseMiddleware<HeaderLimitMiddleware>();
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }

        app.UseMiddleware<ClientKeyMiddleware>();
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<RequestBodyGuardMiddleware>();
        app.UseMiddleware<RequestDecodingMiddleware>();
        app.UseRouting();

        HealthEndpoints.Map(app);
        ModelEndpoints.Map(app);
        CompletionEndpoints.Map(app);
        AnthropicEndpoints.Map(app);
        if (options.UpstreamMode == UpstreamMode.QwenOAuth)
        {
            app.MapAuthEndpoints();
        }

        foreach (var module in app.Services.GetServices<IEndpointModule>())
        {
            module.Map(app);
        }
    }
}
