namespace Proxy.Web.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_is_prometheus_text_counting_served_requests()
    {
        await using var proxy = await TestProxy.StartAsync();
        using (var models = await proxy.Client.GetAsync("/v1/models"))
        {
            Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        }

        using (var missing = await proxy.Client.GetAsync("/missing"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        await proxy.Log.WaitForLineAsync(l => l.Contains("GET /missing 404"));
        using var response = await proxy.Client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var samples = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, samples["""qwen_proxy_requests_total{otel_scope_name="Qwen.Proxy",method="GET",route="/v1/models",status="200"}"""]);
        Assert.Equal(1, samples["""qwen_proxy_requests_total{otel_scope_name="Qwen.Proxy",method="GET",route="unmatched",status="404"}"""]);
        Assert.Equal(0, samples["""qwen_proxy_streams_active{otel_scope_name="Qwen.Proxy"}"""]);
    }
}
