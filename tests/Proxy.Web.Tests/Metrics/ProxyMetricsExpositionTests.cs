using Proxy.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Actors.Resilience;
using Proxy.Web.Health;
using Proxy.Web.Metrics;
using Proxy.Web.Telemetry;
using CircuitState = Proxy.Web.Health.CircuitState;

namespace Proxy.Web.Tests.Metrics;

/// <summary>Every instrument of <see cref="ProxyMetrics"/> as a scraper reads it from OpenTelemetry's exporter.</summary>
public sealed class ProxyMetricsExpositionTests
{
    private const string Scope = "otel_scope_name=\"Qwen.Proxy\"";

    private sealed class Circuits() : ICircuitStatusProvider
    {
        public IReadOnlyList<CircuitStatus> GetCircuits() =>
            [new CircuitStatus("default", CircuitState.Open, 10), new CircuitStatus("second", CircuitState.Closed, 0)];
    }

    [Fact]
    public async Task Every_instrument_is_exposed_with_exact_values()
    {
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<ICircuitStatusProvider, Circuits>());
        var metrics = proxy.Services.GetRequiredService<ProxyMetrics>();
        metrics.RecordRequest("/test/a", "GET", 200, TimeSpan.FromMilliseconds(20));
        metrics.RecordRequest("/test/a", "GET", 200, TimeSpan.FromMilliseconds(30));
        metrics.RecordRequest("/test/b", "POST", 502, TimeSpan.FromSeconds(2));
        metrics.RecordTimeToFirstToken("/test/b", TimeSpan.FromSeconds(0.75));
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamClosed();
        metrics.RecordStutterRepair();
        metrics.RecordRetry(FailureKind.UpstreamServerError);
        metrics.RecordUpstreamFailure(FailureKind.StreamStalled);
        metrics.RecordRefresh("success");
        metrics.RecordRateLimited();

        var samples = await ScrapeAsync(proxy);

        Assert.Equal(2, samples[$$"""qwen_proxy_requests_total{{{Scope}},method="GET",route="/test/a",status="200"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_requests_total{{{Scope}},method="POST",route="/test/b",status="502"}"""]);
        Assert.Equal(2, samples[$$"""qwen_proxy_request_duration_seconds_count{{{Scope}},route="/test/a",status="200"}"""]);
        Assert.Equal(0.05, samples[$$"""qwen_proxy_request_duration_seconds_sum{{{Scope}},route="/test/a",status="200"}"""], 9);
        Assert.Equal(1, samples[$$"""qwen_proxy_request_duration_seconds_bucket{{{Scope}},route="/test/a",status="200",le="0.025"}"""]);
        Assert.Equal(2, samples[$$"""qwen_proxy_request_duration_seconds_bucket{{{Scope}},route="/test/a",status="200",le="0.05"}"""]);
        Assert.Equal(0, samples[$$"""qwen_proxy_request_duration_seconds_bucket{{{Scope}},route="/test/b",status="502",le="1"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_request_duration_seconds_bucket{{{Scope}},route="/test/b",status="502",le="2.5"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_time_to_first_token_seconds_bucket{{{Scope}},route="/test/b",le="0.75"}"""]);
        Assert.Equal(0, samples[$$"""qwen_proxy_time_to_first_token_seconds_bucket{{{Scope}},route="/test/b",le="0.5"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_streams_active{{{Scope}}}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_stutter_repairs_total{{{Scope}}}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_upstream_retries_total{{{Scope}},kind="upstream_server_error"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_upstream_failures_total{{{Scope}},kind="stream_stalled"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_token_refreshes_total{{{Scope}},outcome="success"}"""]);
        Assert.Equal(1, samples[$$"""qwen_proxy_rate_limited_total{{{Scope}}}"""]);
        Assert.Equal(2, samples[$$"""qwen_proxy_circuit_breaker_state{{{Scope}},account="default"}"""]);
        Assert.Equal(0, samples[$$"""qwen_proxy_circuit_breaker_state{{{Scope}},account="second"}"""]);
    }

    [Fact]
    public async Task A_genai_operation_is_exposed_under_the_semantic_convention_names()
    {
        await using var proxy = await TestProxy.StartAsync();
        var metrics = proxy.Services.GetRequiredService<ProxyMetrics>();
        metrics.RecordGenAiOperation(new GenAiOperation("chat", "qwen", "qwen3-coder-plus", "qwen3-coder-plus-2025", TimeSpan.FromSeconds(1.5), null, 32, 300, TimeSpan.FromSeconds(0.3)));
        metrics.RecordGenAiOperation(new GenAiOperation("chat", "qwen", "qwen3-coder-plus", null, TimeSpan.FromSeconds(0.2), "upstream_timeout", null, null, null));

        var samples = await ScrapeAsync(proxy);

        const string Ok = "gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"qwen\",gen_ai_request_model=\"qwen3-coder-plus\",gen_ai_response_model=\"qwen3-coder-plus-2025\"";
        Assert.Equal(32, samples[$$"""gen_ai_client_token_usage_sum{{{Scope}},{{Ok}},gen_ai_token_type="input"}"""]);
        Assert.Equal(300, samples[$$"""gen_ai_client_token_usage_sum{{{Scope}},{{Ok}},gen_ai_token_type="output"}"""]);
        Assert.Equal(1, samples[$$"""gen_ai_client_token_usage_bucket{{{Scope}},{{Ok}},gen_ai_token_type="input",le="64"}"""]);
        Assert.Equal(0, samples[$$"""gen_ai_client_token_usage_bucket{{{Scope}},{{Ok}},gen_ai_token_type="output",le="256"}"""]);
        Assert.Equal(1.5, samples[$$"""gen_ai_client_operation_duration_seconds_sum{{{Scope}},{{Ok}}}"""], 9);
        Assert.Equal(0.3, samples[$$"""gen_ai_client_operation_time_to_first_chunk_seconds_sum{{{Scope}},{{Ok}}}"""], 9);
        Assert.Equal(1, samples[$$"""gen_ai_client_operation_duration_seconds_count{{{Scope}},error_type="upstream_timeout",gen_ai_operation_name="chat",gen_ai_provider_name="qwen",gen_ai_request_model="qwen3-coder-plus"}"""]);
        Assert.DoesNotContain(samples.Keys, k => k.StartsWith("gen_ai_client_operation_time_to_first_chunk_seconds_count", StringComparison.Ordinal) && k.Contains("error_type"));
    }

    [Fact]
    public void Running_totals_follow_the_status_classes()
    {
        using var metrics = new ProxyMetrics();
        metrics.RecordRequest("/", "GET", 200, TimeSpan.Zero);
        metrics.RecordRequest("/", "GET", 404, TimeSpan.Zero);
        metrics.RecordRequest("/", "GET", 429, TimeSpan.Zero);
        metrics.RecordRequest("/", "GET", 503, TimeSpan.Zero);

        Assert.Equal((4L, 2L, 1L), (metrics.RequestsTotal, metrics.ClientErrorsTotal, metrics.ServerErrorsTotal));
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(TestProxy proxy)
    {
        using var response = await proxy.Client.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
