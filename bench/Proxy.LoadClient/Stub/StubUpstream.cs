using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Proxy.LoadClient.Stub;

/// <summary>
/// A minimal OpenAI-style chat upstream for running the harness without tests/Qwen.Emulator. It
/// honours the emulator's <c>chunks</c> and <c>delay_ms</c> scenario keys (header
/// <c>X-Emulator-Scenario</c>, or the run default) and nothing else.
/// </summary>
internal static class StubUpstream
{
    public static WebApplication Build(int port, string apiKey, string? defaultScenario)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port);
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MinResponseDataRate = null;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        var expected = "Bearer " + apiKey;
        var fallback = StubScenario.Parse(defaultScenario);
        app.MapPost("/v1/chat/completions", (Delegate)(async (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization != expected)
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("""{"error":{"message":"invalid api key","type":"authentication_error","param":null,"code":"invalid_api_key"}}""", context.RequestAborted);
                return;
            }

            var scenario = context.Request.Headers.TryGetValue("X-Emulator-Scenario", out var header)
                ? StubScenario.Parse(header.ToString(), fallback)
                : fallback;
            var stream = await WantsStreamAsync(context.Request, context.RequestAborted);
            await (stream ? StreamAsync(context, scenario) : CompleteAsync(context, scenario));
        }));
        return app;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        int port = 18080;
        string apiKey = "bench-key";
        string? scenario = null;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--api-key": apiKey = args[i + 1]; break;
                case "--scenario": scenario = args[i + 1]; break;
                default: throw new ArgumentException($"stub: unknown option {args[i]}");
            }
        }

        await using var app = Build(port, apiKey, scenario);
        await app.RunAsync();
        return 0;
    }

    private static async Task<bool> WantsStreamAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        return body.RootElement.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
    }

    private static async Task CompleteAsync(HttpContext context, StubScenario scenario)
    {
        var text = string.Concat(Enumerable.Range(0, scenario.Chunks).Select(Word));
        var json = $$$"""{"id":"chatcmpl-stub","object":"chat.completion","created":1700000000,"model":"qwen3-coder-plus","choices":[{"index":0,"message":{"role":"assistant","content":"{{{text}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":{{{scenario.Chunks}}},"total_tokens":{{{scenario.Chunks + 3}}}}}""";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, StubScenario scenario)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        await response.StartAsync(ct);
        // Like the emulator: the first event carries the role and the first text, delay_ms falls between events.
        for (var i = 0; i < scenario.Chunks; i++)
        {
            if (i > 0 && scenario.DelayMs > 0)
            {
                await Task.Delay(scenario.DelayMs, ct);
            }

            var role = i == 0 ? "\"role\":\"assistant\"," : "";
            var finish = i == scenario.Chunks - 1 ? "\"stop\"" : "null";
            await WriteAsync(response, $$$"""{"id":"chatcmpl-stub","object":"chat.completion.chunk","created":1700000000,"model":"qwen3-coder-plus","choices":[{"index":0,"delta":{{{{role}}}"content":"{{{Word(i)}}}"},"finish_reason":{{{finish}}}}]}""", ct);
        }

        await WriteAsync(response, "[DONE]", ct);
    }

    private static async Task WriteAsync(HttpResponse response, string data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + data + "\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static string Word(int i) => i == 0 ? "Hello" : " w" + i.ToString(CultureInfo.InvariantCulture);
}
