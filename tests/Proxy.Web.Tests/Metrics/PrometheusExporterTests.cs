using Proxy.Actors.Resilience;
using Proxy.Web.Health;
using CircuitState = Proxy.Web.Health.CircuitState;
using Proxy.Web.Metrics;

namespace Proxy.Web.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    private sealed class Circuits(params CircuitStatus[] circuits) : ICircuitStatusProvider
    {
        public IReadOnlyList<CircuitStatus> GetCircuits() => circuits;
    }

    [Fact]
    public void Every_instrument_renders_as_valid_exposition_with_exact_values()
    {
        using var metrics = new ProxyMetrics(circuits: new Circuits(new CircuitStatus("default", CircuitState.Open, 10), new CircuitStatus("second", CircuitState.Closed, 0)));
        using var exporter = new PrometheusExporter(metrics);
        metrics.RecordRequest("/v1/models", "GET", 200, TimeSpan.FromMilliseconds(20));
        metrics.RecordRequest("/v1/models", "GET", 200, TimeSpan.FromMilliseconds(30));
        metrics.RecordRequest("/v1/chat/completions", "POST", 502, TimeSpan.FromSeconds(2));
        metrics.RecordTimeToFirstToken("/v1/chat/completions", TimeSpan.FromSeconds(0.75));
        metrics.StreamOpened();
        metrics.StreamOpened();
        metrics.StreamClosed();
        metrics.RecordStutterRepair();
        metrics.RecordRetry(FailureKind.UpstreamServerError);
        metrics.RecordUpstreamFailure(FailureKind.StreamStalled);
        metrics.RecordRefresh("success");
        metrics.RecordRateLimited();

        var samples = PrometheusText.Parse(exporter.Render());

        Assert.Equal(2, samples["""qwen_proxy_requests_total{method="GET",route="/v1/models",status="200"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_requests_total{method="POST",route="/v1/chat/completions",status="502"}"""]);
        Assert.Equal(2, samples["""qwen_proxy_request_duration_seconds_count{route="/v1/models",status="200"}"""]);
        Assert.Equal(0.05, samples["""qwen_proxy_request_duration_seconds_sum{route="/v1/models",status="200"}"""], 9);
        Assert.Equal(1, samples["""qwen_proxy_request_duration_seconds_bucket{route="/v1/models",status="200",le="0.025"}"""]);
        Assert.Equal(2, samples["""qwen_proxy_request_duration_seconds_bucket{route="/v1/models",status="200",le="0.05"}"""]);
        Assert.Equal(0, samples["""qwen_proxy_request_duration_seconds_bucket{route="/v1/chat/completions",status="502",le="1"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_request_duration_seconds_bucket{route="/v1/chat/completions",status="502",le="2.5"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_time_to_first_token_seconds_bucket{route="/v1/chat/completions",le="0.75"}"""]);
        Assert.Equal(0, samples["""qwen_proxy_time_to_first_token_seconds_bucket{route="/v1/chat/completions",le="0.5"}"""]);
        Assert.Equal(1, samples["qwen_proxy_streams_active"]);
        Assert.Equal(1, samples["qwen_proxy_stutter_repairs_total"]);
        Assert.Equal(1, samples["""qwen_proxy_upstream_retries_total{kind="upstream_server_error"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_upstream_failures_total{kind="stream_stalled"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_token_refreshes_total{outcome="success"}"""]);
        Assert.Equal(1, samples["qwen_proxy_rate_limited_total"]);
        Assert.Equal(2, samples["""qwen_proxy_circuit_breaker_state{account="default"}"""]);
        Assert.Equal(0, samples["""qwen_proxy_circuit_breaker_state{account="second"}"""]);
    }

    [Fact]
    public void Types_are_declared_for_counters_gauges_and_histograms()
    {
        using var metrics = new ProxyMetrics(circuits: new Circuits());
        using var exporter = new PrometheusExporter(metrics);
        metrics.RecordRequest("/", "GET", 200, TimeSpan.Zero);

        var text = exporter.Render();

        Assert.Contains("# TYPE qwen_proxy_requests_total counter\n", text);
        Assert.Contains("# TYPE qwen_proxy_request_duration_seconds histogram\n", text);
        Assert.Contains("# TYPE qwen_proxy_streams_active gauge\n", text);
        Assert.Contains("# HELP qwen_proxy_requests_total HTTP requests served, by route, method and status.\n", text);
        Assert.DoesNotContain("qwen_proxy_circuit_breaker_state", text);
    }

    [Fact]
    public void Label_values_are_escaped()
    {
        using var metrics = new ProxyMetrics();
        using var exporter = new PrometheusExporter(metrics);
        metrics.RecordRefresh("a\"b\\c\nd");

        var text = exporter.Render();

        Assert.Contains("qwen_proxy_token_refreshes_total{outcome=\"a\\\"b\\\\c\\nd\"} 1\n", text);
        PrometheusText.Parse(text);
    }

    [Fact]
    public void Two_meters_in_one_process_do_not_see_each_other()
    {
        using var first = new ProxyMetrics();
        using var second = new ProxyMetrics();
        using var firstExporter = new PrometheusExporter(first);
        using var secondExporter = new PrometheusExporter(second);

        first.RecordStutterRepair();

        Assert.Equal(1, PrometheusText.Parse(firstExporter.Render())["qwen_proxy_stutter_repairs_total"]);
        Assert.Equal(0, PrometheusText.Parse(secondExporter.Render())["qwen_proxy_stutter_repairs_total"]);
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
}
