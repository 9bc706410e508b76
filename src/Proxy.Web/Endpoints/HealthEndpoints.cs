using Proxy.Web.Health;
using Proxy.Web.Hosting;
using Proxy.Web.Json;

namespace Proxy.Web.Endpoints;

/// <summary><c>GET /</c>, <c>/health</c>, <c>/health/ready</c>, <c>/health/detailed</c> and <c>/metrics</c>.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (Uptime uptime) =>
            TypedResults.Json(
                new BannerResponse(ProxyInfo.Name, ProxyInfo.Version, (long)uptime.Elapsed.TotalSeconds, "OpenAI-compatible API under /v1"),
                ProxyJsonContext.Default.BannerResponse));

        app.MapGet("/health", () => TypedResults.Json(new HealthResponse("ok"), ProxyJsonContext.Default.HealthResponse));

        app.MapGet("/health/ready", (IReadinessProbe probe) =>
        {
            var report = probe.Check();
            return TypedResults.Json(
                new ReadinessResponse(report.IsReady ? "ready" : "not_ready", report.Detail),
                ProxyJsonContext.Default.ReadinessResponse,
                statusCode: report.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        app.MapGet("/health/detailed", (HttpContext context, HealthReporter reporter) =>
            TypedResults.Json(reporter.Detailed(context.TraceIdentifier), ProxyJsonContext.Default.DetailedHealthResponse));

        Telemetry.TelemetrySetup.MapMetrics(app);
    }
}
