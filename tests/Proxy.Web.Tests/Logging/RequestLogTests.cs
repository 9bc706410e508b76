using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Logging;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Logging;

public sealed class RequestLogTests
{
    [Fact]
    public async Task Request_line_has_ip_method_path_status_sizes_streaming_duration_ttft_and_agent()
    {
        var time = new FakeTimeProvider();
        var handler = new FakeChatHandler(async (ctx, _) =>
        {
            time.Advance(TimeSpan.FromMilliseconds(1500));
            ctx.Features.Get<IRequestLogFeature>()!.MarkFirstToken();
            time.Advance(TimeSpan.FromSeconds(1));
            ctx.Features.Get<IRequestLogFeature>()!.MarkFirstToken();
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: [DONE]\n\n");
        });
        await using var proxy = await TestProxy.StartAsync(services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<IChatCompletionsHandler>(handler);
        });
        const string body = """{"model":"qwen3-coder-plus","stream":true,"messages":[]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions?api_key=leak") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Request-ID", "log-line-1");
        request.Headers.UserAgent.ParseAdd("test-agent/1.0");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("[log-line-1] Serilog.AspNetCore.RequestLoggingMiddleware"));
        Assert.EndsWith(
            $"INF [log-line-1] Serilog.AspNetCore.RequestLoggingMiddleware: POST /v1/chat/completions 200 2500 ms client=127.0.0.1 req={body.Length}B resp=14B streaming=true ttft=1500 ms ua=\"test-agent/1.0\"",
            line);
        Assert.DoesNotContain("leak", proxy.Log.Text);
    }

    [Fact]
    public async Task Chunked_request_bodies_are_counted()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        const string body = """{"model":"m","messages":[{"role":"user","content":"hi"}]}""";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-Request-ID", "chunked-1");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("[chunked-1] Serilog.AspNetCore.RequestLoggingMiddleware"));
        Assert.Contains($"req={body.Length}B resp=11B streaming=false ttft=null ms", line);
    }

    [Fact]
    public async Task Json_format_writes_one_json_object_per_line_with_the_request_id()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["LOG_FORMAT"] = "json" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Request-ID", "json-1");

        using var response = await proxy.Client.SendAsync(request);

        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("\"json-1\"") && l.Contains("StatusCode"));
        using var json = JsonDocument.Parse(line);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal("json-1", properties.GetProperty("RequestId").GetString());
        Assert.Equal(200, properties.GetProperty("StatusCode").GetInt32());
        Assert.Equal("/v1/models", properties.GetProperty("RequestPath").GetString());
        Assert.Equal(200, properties.GetProperty("Status").GetInt32());
        Assert.Equal("Information", json.RootElement.GetProperty("Level").GetString());
        Assert.All(proxy.Log.Lines, l => JsonDocument.Parse(l).Dispose());
    }

    [Fact]
    public async Task Health_checks_log_at_debug_only()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "debug" });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Request-ID", "probe-1");

        using var response = await proxy.Client.SendAsync(request);

        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("[probe-1]"));
        Assert.Contains(" DBG [probe-1] Serilog.AspNetCore.RequestLoggingMiddleware: GET /health 200 ", line);
    }
}
