using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Qwen.Emulator.Chat;
using Qwen.Emulator.OAuth;

namespace Qwen.Emulator.Messages;

/// <summary>
/// Anthropic Messages served natively, as DashScope's <c>/apps/anthropic/v1/messages</c> does:
/// <c>POST /v1/messages</c> (streaming and not) and <c>POST /v1/messages/count_tokens</c>, with the
/// key as <c>x-api-key</c> (or a bearer). The answer follows the request's scenario like chat does
/// (<c>chunks</c>, <c>chunk_chars</c>, <c>tools</c>, <c>reasoning</c>, <c>delay_ms</c>, <c>seed</c>; a
/// <c>fault=STATUS</c> answers that status in Anthropic's envelope; other faults are chat-only).
/// Requests are recorded and counted with the chat requests (their <c>Path</c> tells them apart).
/// </summary>
internal sealed class MessagesEndpoint(EmulatorState state, Scenario baseline, IEnumerable<string> apiKeys)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly HashSet<string> _apiKeys = new(apiKeys, StringComparer.Ordinal);

    /// <summary>Maps both routes unless <see cref="EmulatorOptions.ServeMessages"/> is off (then they are 404).</summary>
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state, Scenario baseline)
    {
        if (!state.Options.ServeMessages)
        {
            return;
        }

        var endpoint = new MessagesEndpoint(state, baseline, state.Options.ApiKeys);
        routes.MapPost("/v1/messages", (RequestDelegate)endpoint.MessagesAsync);
        routes.MapPost("/apps/anthropic/v1/messages", (RequestDelegate)endpoint.MessagesAsync);
        routes.MapPost("/v1/messages/count_tokens", (RequestDelegate)endpoint.CountTokensAsync);
        routes.MapPost("/apps/anthropic/v1/messages/count_tokens", (RequestDelegate)endpoint.CountTokensAsync);
    }

    public async Task MessagesAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var body = await ReadAsync(context);
        var scenarioText = context.Request.Headers[ChatEndpoint.ScenarioHeader] is { Count: > 0 } values ? values.ToString() : null;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var record = state.BeginChat(context.Request.Path.Value ?? string.Empty, scenarioText, body, headers, context.Request.Protocol);
        try
        {
            Scenario scenario;
            try
            {
                scenario = scenarioText is null ? baseline : ScenarioParser.Parse(scenarioText, baseline);
            }
            catch (FormatException e)
            {
                await ErrorAsync(context, record, 400, "invalid_request_error", "bad X-Emulator-Scenario: " + e.Message);
                return;
            }

            if (!IsAuthorized(context.Request))
            {
                await ErrorAsync(context, record, 401, "authentication_error", "invalid x-api-key");
                return;
            }

            if (!TryRead(body, out var model, out var stream, out var problem))
            {
                await ErrorAsync(context, record, 400, "invalid_request_error", problem);
                return;
            }

            if (scenario.Fault == FaultType.Status)
            {
                record.SetFault(scenario.FaultText ?? "status");
                await ErrorAsync(context, record, scenario.FaultStatus, TypeFor(scenario.FaultStatus), $"emulated fault: {scenario.FaultStatus}");
                return;
            }

            if (scenario.Tools > 0 && state.Options.ToolsOnce && ToolTurns.EndsWithToolResult(body))
            {
                scenario = scenario with { Tools = 0 };
            }

            var answer = MessagesAnswer.For(scenario, record.Id, model, (body.Length + 3) / 4);
            record.SetStatus(200);
            if (stream)
            {
                var response = context.Response;
                response.StatusCode = 200;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
                var events = answer.Events();
                for (var i = 0; i < events.Count; i++)
                {
                    if (i > 0 && scenario.DelayMs > 0)
                    {
                        await Task.Delay(scenario.DelayMs, aborted);
                    }

                    await response.Body.WriteAsync(events[i], aborted);
                    await response.Body.FlushAsync(aborted);
                }

                record.SetEventsSent(events.Count);
            }
            else
            {
                await WriteJsonAsync(context, answer.Message());
            }
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            record.ClientAborted(TimeProvider.System.GetUtcNow());
        }
        finally
        {
            record.Finish(TimeProvider.System.GetUtcNow());
            state.ChatEnded();
        }
    }

    public async Task CountTokensAsync(HttpContext context)
    {
        var body = await ReadAsync(context);
        if (!IsAuthorized(context.Request))
        {
            await WriteJsonAsync(context, Envelope("authentication_error", "invalid x-api-key"), 401);
            return;
        }

        await WriteJsonAsync(context, System.Text.Encoding.UTF8.GetBytes($"{{\"input_tokens\":{(body.Length + 3) / 4}}}"));
    }

    private static bool TryRead(byte[] body, out string model, out bool stream, out string problem)
    {
        model = "qwen3-coder-plus";
        stream = false;
        problem = string.Empty;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "The request body must be a JSON object.";
                return false;
            }

            if (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number)
            {
                problem = "max_tokens: Field required";
                return false;
            }

            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                problem = "messages: Field required";
                return false;
            }

            if (root.TryGetProperty("model", out var named) && named.ValueKind == JsonValueKind.String)
            {
                model = named.GetString()!;
            }

            stream = root.TryGetProperty("stream", out var flag) && flag.ValueKind == JsonValueKind.True;
            return true;
        }
        catch (JsonException)
        {
            problem = "The request body is not valid JSON.";
            return false;
        }
    }

    private bool IsAuthorized(HttpRequest request)
    {
        var key = request.Headers["x-api-key"].ToString().Trim();
        if (key.Length == 0)
        {
            var authorization = request.Headers.Authorization.ToString();
            key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : string.Empty;
        }

        return key.Length > 0 && (_apiKeys.Contains(key) || state.Tokens.Check(key) == AccessCheck.Valid);
    }

    private static string TypeFor(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static async Task ErrorAsync(HttpContext context, RequestRecord record, int status, string type, string message)
    {
        record.SetStatus(status);
        await WriteJsonAsync(context, Envelope(type, message), status);
    }

    private static byte[] Envelope(string type, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteJsonAsync(HttpContext context, byte[] body, int status = 200)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static async Task<byte[]> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
        }

        return buffer.ToArray();
    }
}
