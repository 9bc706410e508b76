using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Proxy.Web.Hosting;
using Proxy.Web.Metrics;
using Proxy.Web.Security;

namespace Proxy.Web.Telemetry;

/// <summary>
/// OpenTelemetry for the proxy: its own meter, ASP.NET Core's and HttpClient's instruments, exported
/// to Prometheus on <c>GET /metrics</c> always, and traces and metrics over OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (protocol from <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, service
/// name from <c>OTEL_SERVICE_NAME</c>, as OpenTelemetry reads them). Without it no span is recorded.
/// </summary>
internal static class TelemetrySetup
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "qwen-proxy";
    public const string MetricsPath = "/metrics";

    // The meters ASP.NET Core creates through the host's meter factory.
    private static readonly string[] HostMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    /// <summary>True when OTLP export is configured.</summary>
    public static bool OtlpEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);

    public static IServiceCollection AddProxyTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otlp = OtlpEnabled(configuration);

        // The proxy's and ASP.NET Core's meters are enabled for this host's meter factory only
        // (MeterScope.Local): two hosts in one process (tests) never count each other's requests.
        services.AddMetrics(metrics =>
        {
            metrics.EnableMetrics(ProxyMetrics.MeterName, instrumentName: null, listenerName: null, MeterScope.Local);
            foreach (var meter in HostMeters)
            {
                metrics.EnableMetrics(meter, instrumentName: null, listenerName: null, MeterScope.Local);
            }
        });

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                configuration[ServiceNameVariable] is { Length: > 0 } name ? name : DefaultServiceName,
                serviceVersion: ProxyInfo.Version))
            .WithMetrics(metrics =>
            {
                metrics.AddHttpClientInstrumentation();
                // Every scrape is fresh: a cached answer would hide the requests of the last moments.
                metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });

        if (otlp)
        {
            builder.WithTracing(tracing => tracing
                .AddSource(ProxyActivitySource.Name)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !PublicPaths.SkipsRateLimit(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary><c>GET /metrics</c>: the Prometheus text exposition of every enabled meter.</summary>
    public static void MapMetrics(IEndpointRouteBuilder app) => app.MapPrometheusScrapingEndpoint(MetricsPath);
}
