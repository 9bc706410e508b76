using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Telemetry;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, each completion request is a trace delivered to the collector.</summary>
public sealed class TracingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Trace_reaches_the_collector_with_genai_attributes_and_the_upstream_continues_it(bool stream)
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Qwen.Proxy" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var collector = await OtlpReceiver.StartAsync();
        await using var gateway = await Gateway.StartAsync("chunks=3", new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.BaseUrl.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "proxy-under-test",
        });
        using var request = Gateway.ChatRequest(stream, extraFields: stream ? ""","stream_options":{"include_usage":true}""" : "");

        using var response = await gateway.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(gateway.Proxy.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000));
        await collector.TracesArrived.WaitAsync(TimeSpan.FromSeconds(10));

        // The upstream got a W3C traceparent: version 00, a trace id, the HttpClient span's id, flags sampled (and random trace id).
        var upstream = Assert.Single(gateway.Emulator.State.Requests);
        var traceparent = upstream.Headers["traceparent"];
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(traceparent, "^00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]$"), traceparent);
        var traceId = Convert.FromHexString(traceparent[3..35]);
        var upstreamSpanId = Convert.FromHexString(traceparent[36..52]);

        // The upstream call's span is a child of the GenAI span, which names the model and the account.
        var upstreamCall = Assert.Single(stopped, a => a.SpanId.ToHexString() == traceparent[36..52]);
        var genAi = Assert.Single(stopped, a => a.Source.Name == "Qwen.Proxy" && a.TraceId == upstreamCall.TraceId);
        Assert.Equal(genAi.SpanId, upstreamCall.ParentSpanId);
        Assert.Equal(ActivityKind.Client, genAi.Kind);
        Assert.Equal("chat qwen3-coder-plus", genAi.DisplayName);
        Assert.Equal("qwen3-coder-plus", genAi.GetTagItem("gen_ai.request.model"));
        Assert.Equal("qwen3-coder-plus", genAi.GetTagItem("gen_ai.response.model"));
        Assert.Equal(["stop"], Assert.IsType<string[]>(genAi.GetTagItem("gen_ai.response.finish_reasons")));
        Assert.Equal("qwen", genAi.GetTagItem("qwen_proxy.account"));
        Assert.Equal(stream, genAi.Events.Any(e => e.Name == "gen_ai.first_token"));

        var traces = collector.Posts.Where(p => p.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.All(traces, p => Assert.Equal("application/x-protobuf", p.ContentType));
        var all = new OtlpPost("/v1/traces", "application/x-protobuf", traces.SelectMany(p => p.Body).ToArray());
        Assert.True(all.Contains(traceId), "the collector got no span of the upstream call's trace");
        Assert.True(all.Contains(upstreamSpanId), "the upstream call's span is not among the exported spans");
        Assert.True(all.Contains("proxy-under-test"));
        Assert.True(all.Contains("chat qwen3-coder-plus"));
        foreach (var attribute in new[]
        {
            "gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model",
            "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.response.finish_reasons", "qwen_proxy.account",
        })
        {
            Assert.True(all.Contains(attribute), $"no {attribute} in the exported spans");
        }

        // Only the presence is checked in the export: activity listeners are process-wide, so another
        // test's proxy running at the same time may export its own stream's spans through this one.
        // The absence for a whole answer is asserted on this request's own span above and below.
        Assert.Equal(stream, genAi.GetTagItem("qwen_proxy.stutter_repairs") is not null);
        if (stream)
        {
            Assert.True(all.Contains("gen_ai.first_token"), "no first-token event in the exported spans");
            Assert.True(all.Contains("qwen_proxy.stutter_repairs"), "no stutter repairs attribute in the exported spans");
        }
    }
}
