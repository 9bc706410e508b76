using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Responses;

/// <summary>
/// <c>POST /v1/embeddings</c>: each input (a string or an array of strings) gets a vector of
/// <see cref="EmulatorEmbeddings.Dimensions"/> numbers drawn from its text and the seed, so answers repeat exactly.
/// Auth and status faults as on chat.
/// </summary>
internal sealed class EmbeddingsEndpoint(EmulatorState state, Scenario baseline, IEnumerable<string> apiKeys)
{
    private readonly HashSet<string> _apiKeys = new(apiKeys, StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var scenarioText = context.Request.Headers[ChatEndpoint.ScenarioHeader] is { Count: > 0 } values ? values.ToString() : null;
        var record = state.BeginChat(context.Request.Path.Value ?? "", scenarioText, body, headers, context.Request.Protocol);
        try
        {
            var (status, answer) = Answer(record, body, scenarioText, context.Request.Headers.Authorization.ToString());
            record.SetStatus(status);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
        finally
        {
            record.Finish(TimeProvider.System.GetUtcNow());
            state.ChatEnded();
        }
    }

    private (int Status, byte[] Body) Answer(RequestRecord record, byte[] body, string? scenarioText, string authorization)
    {
        Scenario scenario;
        try
        {
            scenario = scenarioText is null ? baseline : ScenarioParser.Parse(scenarioText, baseline);
        }
        catch (FormatException e)
        {
            return (400, ErrorBodies.BadScenario(e.Message));
        }

        if (!EmulatorAuth.IsAuthorized(state, _apiKeys, authorization))
        {
            return (401, ErrorBodies.InvalidToken);
        }

        if (ChatEndpoint.FaultApplies(scenario, record.Id) && scenario.Fault == FaultType.Status)
        {
            record.SetFault(scenario.FaultText ?? "status");
            return (scenario.FaultStatus, ErrorBodies.ForStatus(scenario.FaultStatus));
        }

        List<string> inputs = [];
        string model;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "text-embedding-v4";
            if (root.TryGetProperty("input", out var input))
            {
                if (input.ValueKind == JsonValueKind.String)
                {
                    inputs.Add(input.GetString()!);
                }
                else if (input.ValueKind == JsonValueKind.Array)
                {
                    inputs.AddRange(input.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
                }
            }
        }
        catch (JsonException)
        {
            return (400, ErrorBodies.InvalidJson);
        }

        var tokens = inputs.Sum(i => (Encoding.UTF8.GetByteCount(i) + 3) / 4);
        var answer = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (var i = 0; i < inputs.Count; i++)
        {
            answer.Append(i > 0 ? "," : "").Append("{\"object\":\"embedding\",\"index\":").Append(i).Append(",\"embedding\":[")
                .AppendJoin(',', EmulatorEmbeddings.Vector(scenario.Seed, inputs[i]).Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append("]}");
        }

        answer.Append("],\"model\":");
        JsonText.AppendQuoted(answer, model);
        answer.Append(",\"usage\":{\"prompt_tokens\":").Append(tokens).Append(",\"total_tokens\":").Append(tokens).Append("}}");
        return (200, Encoding.UTF8.GetBytes(answer.ToString()));
    }
}
