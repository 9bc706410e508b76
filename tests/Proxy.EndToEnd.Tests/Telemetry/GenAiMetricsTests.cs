using System.Net;
using System.Text.Json;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Telemetry;

/// <summary>After a completion, <c>/metrics</c> has the GenAI client series with the usage the upstream reported.</summary>
public sealed class GenAiMetricsTests
{
    private const string Labels =
        "otel_scope_name=\"Qwen.Proxy\",gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"127.0.0.1\",gen_ai_request_model=\"qwen3-coder-plus\",gen_ai_response_model=\"qwen3-coder-plus\"";

    [Fact]
    public async Task A_stream_with_usage_is_counted_in_tokens_duration_and_time_to_first_chunk()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3");
        using var request = Gateway.ChatRequest(stream: true, extraFields: ""","stream_options":{"include_usage":true}""");

        using var response = await gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (input, output) = Usage(Sse.Data(body).Single(d => d.Contains("\"usage\":{", StringComparison.Ordinal)));

        using var metrics = await gateway.Client.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();

        Assert.Contains($"gen_ai_client_token_usage_sum{{{Labels},gen_ai_token_type=\"input\"}} {input}\n", text, StringComparison.Ordinal);
        Assert.Contains($"gen_ai_client_token_usage_sum{{{Labels},gen_ai_token_type=\"output\"}} {output}\n", text, StringComparison.Ordinal);
        Assert.Contains($"gen_ai_client_operation_duration_seconds_count{{{Labels}}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"gen_ai_client_operation_time_to_first_chunk_seconds_count{{{Labels}}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("qwen_proxy_requests_total{otel_scope_name=\"Qwen.Proxy\",method=\"POST\",route=\"/v1/chat/completions\",status=\"200\"} 1\n", text, StringComparison.Ordinal);
    }

    private static (long Input, long Output) Usage(string chunk)
    {
        using var doc = JsonDocument.Parse(chunk);
        var usage = doc.RootElement.GetProperty("usage");
        return (usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64());
    }
}
