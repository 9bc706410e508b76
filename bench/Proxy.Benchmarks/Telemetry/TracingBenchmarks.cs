using System.Net.Http.Headers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Proxy.Web;

namespace Proxy.Benchmarks.Telemetry;

/// <summary>
/// What tracing costs a request: one non-streamed chat completion through the real proxy (Kestrel,
/// middleware, GenAI span, upstream HttpClient) to an in-process upstream that answers at once, with
/// OTLP export off and on (to an in-process collector that accepts every export). Metrics are on in
/// both, as they always are.
/// </summary>
[MemoryDiagnoser]
[InProcess]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Everything is released in GlobalCleanup.")]
public class TracingBenchmarks
{
    private const string Completion =
        """{"id":"chatcmpl-bench","object":"chat.completion","created":1767225600,"model":"qwen3-coder-plus","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""";

    private static readonly byte[] Request = Encoding.UTF8.GetBytes(
        """{"model":"qwen3-coder-plus","stream":false,"messages":[{"role":"user","content":"hi"}]}""");

    private WebApplication _upstream = null!;
    private WebApplication _collector = null!;
    private WebApplication _proxy = null!;
    private HttpClient _client = null!;

    [Params(false, true)]
    public bool Tracing { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _upstream = Serve(app => app.MapPost("/v1/chat/completions", () => Results.Text(Completion, "application/json")));
        _collector = Serve(app => app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/x-protobuf";
        }));

        var environment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["SERVER_HOST"] = "127.0.0.1",
            ["SERVER_PORT"] = "0",
            ["RATE_LIMIT_RPS"] = "0",
            ["LOG_LEVEL"] = "error",
            ["QWEN_DIR"] = Path.Combine(Path.GetTempPath(), "proxy-bench-tracing"),
            ["UPSTREAM_BASE_URL"] = new Uri(new Uri(_upstream.Urls.First()), "/v1").ToString(),
            ["UPSTREAM_API_KEY"] = "sk-bench",
        };
        if (Tracing)
        {
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Urls.First();
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        }

        _proxy = ProxyHost.Build([], null, new ProxyHostOverrides
        {
            Environment = environment,
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-bench-no-appsettings.json"),
            LogOutput = TextWriter.Null,
        });
        _proxy.StartAsync().GetAwaiter().GetResult();
        _client = new HttpClient { BaseAddress = new Uri(_proxy.Urls.First()) };
    }

    [Benchmark]
    public async Task<int> ChatCompletion()
    {
        using var content = new ByteArrayContent(Request);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _client.PostAsync("/v1/chat/completions", content);
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode ? body.Length : throw new InvalidOperationException($"status {(int)response.StatusCode}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        foreach (var app in new[] { _proxy, _collector, _upstream })
        {
            app.StopAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static WebApplication Serve(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        map(app);
        app.StartAsync().GetAwaiter().GetResult();
        return app;
    }
}
