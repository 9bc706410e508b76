using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Qwen.Emulator.OAuth;

namespace Qwen.Emulator.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c>: checks the bearer, applies the scenario, and writes the
/// precomputed answer straight to the response pipe.
/// </summary>
internal sealed class ChatEndpoint
{
    public const string ScenarioHeader = "X-Emulator-Scenario";

    private const int MaxCachedScenarios = 1024;
    private const ulong FaultSalt = 0x4661756C74526174UL;

    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    private readonly EmulatorState _state;
    private readonly Scenario _baseline;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _apiKeys;
    private readonly ConcurrentDictionary<string, ParsedScenario> _scenarios = new(StringComparer.Ordinal);

    public ChatEndpoint(EmulatorState state, Scenario baseline, IEnumerable<string> apiKeys)
    {
        _state = state;
        _baseline = baseline;
        _apiKeys = new HashSet<string>(apiKeys, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = context.Request;
        var scenarioText = request.Headers[ScenarioHeader] is { Count: > 0 } values ? values.ToString() : null;
        byte[] body;
        try
        {
            body = await ReadBodyAsync(request.BodyReader, aborted);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            body = [];
        }

        var record = _state.BeginChat(request.Path.Value ?? "", scenarioText, body, CopyHeaders(request.Headers), request.Protocol);
        using var registration = aborted.UnsafeRegister(
            static value => ((RequestRecord)value!).ClientAborted(TimeProvider.System.GetUtcNow()), record);
        try
        {
            await RespondAsync(context, record, body, scenarioText);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // The client went away (or a reset fault aborted the connection); the record says which.
            // The abort callback may not have run yet: the wait that the abort cancelled can resume
            // inline, before it, and the record must not be finished first.
            record.ClientAborted(TimeProvider.System.GetUtcNow());
        }
        finally
        {
            record.Finish(TimeProvider.System.GetUtcNow());
            _state.ChatEnded();
        }
    }

    private async Task RespondAsync(HttpContext context, RequestRecord record, byte[] body, string? scenarioText)
    {
        var aborted = context.RequestAborted;
        var parsed = Parse(scenarioText);
        if (parsed.Error is not null)
        {
            await WriteJsonAsync(context, record, StatusCodes.Status400BadRequest, ErrorBodies.BadScenario(parsed.Error), aborted);
            return;
        }

        var scenario = parsed.Scenario!;
        if (scenario.FirstByteMs > 0)
        {
            await Task.Delay(scenario.FirstByteMs, aborted);
        }

        if (!IsAuthorized(context.Request.Headers.Authorization))
        {
            await WriteJsonAsync(context, record, StatusCodes.Status401Unauthorized, ErrorBodies.InvalidToken, aborted);
            return;
        }

        if (!ChatRequestInfo.TryParse(body, out var info))
        {
            await WriteJsonAsync(context, record, StatusCodes.Status400BadRequest, ErrorBodies.InvalidJson, aborted);
            return;
        }

        var fault = FaultApplies(scenario, record.Id) ? scenario.Fault : FaultType.None;
        if (fault != FaultType.None)
        {
            record.SetFault(scenario.FaultText ?? fault.ToString());
        }

        switch (fault)
        {
            case FaultType.Status:
                if (scenario.FaultStatus == StatusCodes.Status429TooManyRequests)
                {
                    context.Response.Headers.RetryAfter = scenario.RetryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await WriteJsonAsync(context, record, scenario.FaultStatus, ErrorBodies.ForStatus(scenario.FaultStatus), aborted);
                return;
            case FaultType.Quota429:
                await WriteJsonAsync(context, record, StatusCodes.Status429TooManyRequests, ErrorBodies.Quota429, aborted);
                return;
            case FaultType.Quota403:
                await WriteJsonAsync(context, record, StatusCodes.Status403Forbidden, ErrorBodies.Quota403, aborted);
                return;
            case FaultType.ResetBefore:
                Abort(context, record);
                return;
        }

        if (scenario.Tools > 0 && _state.Options.ToolsOnce && ToolTurns.EndsWithToolResult(body))
        {
            scenario = scenario with { Tools = 0 };
        }

        var plan = scenario.Echo ? StreamPlanBuilder.Echo(Encoding.UTF8.GetString(body)) : StreamPlanBuilder.For(scenario.PlanKey);
        var created = _state.Now.ToUnixTimeSeconds();
        var promptTokens = (body.Length + 3) / 4;
        if (info.Stream)
        {
            var usage = info.IncludeUsage || scenario.Usage;
            await StreamAsync(context, record, scenario, fault, plan, ChunkPrefix(record.Id, created, info.ModelJson), usage, promptTokens);
        }
        else
        {
            await CompleteAsync(context, record, scenario, fault, CompletionBody(record.Id, created, info.ModelJson, plan, promptTokens));
        }
    }

    private static async Task StreamAsync(
        HttpContext context, RequestRecord record, Scenario scenario, FaultType fault, StreamPlan plan, byte[] prefix, bool usage, int promptTokens)
    {
        var aborted = context.RequestAborted;
        record.SetStatus(StatusCodes.Status200OK);
        var cut = fault == FaultType.ResetMid ? CutOutput.For(context, "text/event-stream", contentLength: null) : null;
        EventOutput output;
        if (cut is not null)
        {
            output = cut;
        }
        else
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            output = new PipeOutput(response.BodyWriter);
        }

        var usageTail = usage ? UsageTail(promptTokens, plan.CompletionTokens) : null;
        var total = plan.Events.Length + (usage ? 1 : 0) + (fault == FaultType.NoDone ? 0 : 1);
        var flushEach = scenario.DelayMs > 0;
        var sent = 0;
        try
        {
            for (var i = 0; i <= total; i++)
            {
                if (fault == FaultType.ResetMid && sent == scenario.FaultAfter)
                {
                    await CutAsync(context, record, cut, output);
                    return;
                }

                if (fault == FaultType.StallMid && sent == scenario.FaultAfter)
                {
                    await output.FlushAsync(aborted);
                    await Task.Delay(scenario.StallMs, aborted);
                }

                if (i == total)
                {
                    break;
                }

                if (i > 0 && scenario.DelayMs > 0)
                {
                    await Task.Delay(scenario.DelayMs, aborted);
                }

                var payload = i < plan.Events.Length ? plan.Events[i] : i == plan.Events.Length && usageTail is not null ? usageTail : null;
                var malformed = fault == FaultType.Malformed && i + 1 == scenario.FaultAfter;
                if (payload is null)
                {
                    output.Write(malformed ? DoneEvent.AsSpan(0, DoneEvent.Length - 3) : DoneEvent.AsSpan(0, DoneEvent.Length - 2));
                }
                else
                {
                    output.Write(prefix);
                    output.Write(malformed ? payload.AsSpan(0, payload.Length - 1) : payload);
                }

                output.Write("\n\n"u8);
                sent++;
                if (flushEach && !await output.FlushAsync(aborted))
                {
                    // The connection is gone. Kestrel can say so here before it signals RequestAborted;
                    // either way this is the moment the emulator saw the client leave.
                    record.ClientAborted(TimeProvider.System.GetUtcNow());
                    return;
                }
            }

            await output.FlushAsync(aborted);
        }
        finally
        {
            record.SetEventsSent(sent);
        }
    }

    private static async Task CompleteAsync(HttpContext context, RequestRecord record, Scenario scenario, FaultType fault, byte[] body)
    {
        var aborted = context.RequestAborted;
        record.SetStatus(StatusCodes.Status200OK);
        if (fault == FaultType.ResetMid)
        {
            var cut = CutOutput.For(context, "application/json", body.Length);
            EventOutput output = cut is null ? new PipeOutput(context.Response.BodyWriter) : cut;
            if (cut is null)
            {
                context.Response.ContentLength = body.Length;
            }

            output.Write(body.AsSpan(0, body.Length / 2));
            await CutAsync(context, record, cut, output);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var length = fault == FaultType.Malformed ? body.Length - 1 : body.Length;
        response.ContentLength = length;
        if (fault == FaultType.StallMid)
        {
            await response.StartAsync(aborted);
            await response.BodyWriter.FlushAsync(aborted);
            await Task.Delay(scenario.StallMs, aborted);
        }

        await response.BodyWriter.WriteAsync(body.AsMemory(0, length), aborted);
    }

    /// <summary>Ends the connection where the answer stands: a clean cut on the socket, else Kestrel's abort.</summary>
    private static async Task CutAsync(HttpContext context, RequestRecord record, CutOutput? cut, EventOutput output)
    {
        if (cut is not null)
        {
            await cut.CutAsync(context, record);
            return;
        }

        await output.FlushAsync(context.RequestAborted);
        Abort(context, record);
    }

    private static async Task WriteJsonAsync(HttpContext context, RequestRecord record, int status, byte[] body, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        record.SetStatus(status);
        await response.BodyWriter.WriteAsync(body, cancellationToken);
    }

    private static void Abort(HttpContext context, RequestRecord record)
    {
        if (!context.Response.HasStarted)
        {
            record.SetStatus(0);
        }

        record.ServerAborting();
        context.Abort();
    }

    private bool IsAuthorized(StringValues authorization)
    {
        if (authorization.Count != 1)
        {
            return false;
        }

        var value = authorization[0].AsSpan().Trim();
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var token = value["Bearer ".Length..].Trim();
        return _apiKeys.Contains(token) || _state.Tokens.Check(token) == AccessCheck.Valid;
    }

    private ParsedScenario Parse(string? text)
    {
        if (text is null)
        {
            return new ParsedScenario(_baseline, null);
        }

        if (_scenarios.TryGetValue(text, out var parsed))
        {
            return parsed;
        }

        try
        {
            parsed = new ParsedScenario(ScenarioParser.Parse(text, _baseline), null);
        }
        catch (FormatException e)
        {
            parsed = new ParsedScenario(null, e.Message);
        }

        if (_scenarios.Count < MaxCachedScenarios)
        {
            _scenarios.TryAdd(text, parsed);
        }

        return parsed;
    }

    /// <summary>fault_rate: request n (1-based since start or reset) gets the fault when mix(seed, n) &lt; rate.</summary>
    internal static bool FaultApplies(Scenario scenario, long requestNumber)
    {
        if (scenario.Fault == FaultType.None || scenario.FaultRate <= 0)
        {
            return false;
        }

        if (scenario.FaultRate >= 1)
        {
            return true;
        }

        var draw = (SplitMix.Mix(scenario.Seed, FaultSalt, requestNumber) >> 11) * (1.0 / (1UL << 53));
        return draw < scenario.FaultRate;
    }

    private static byte[] ChunkPrefix(long id, long created, byte[] model) =>
        Concat("data: {\"id\":\"chatcmpl-emu-"u8, id, "\",\"object\":\"chat.completion.chunk\",\"created\":"u8, created, model, "\",\"choices\":"u8, []);

    private static byte[] CompletionBody(long id, long created, byte[] model, StreamPlan plan, int promptTokens)
    {
        var usage = UsageTail(promptTokens, plan.CompletionTokens);
        var tail = new byte[plan.MessageChoices.Length + 1 + usage.Length - 3];
        plan.MessageChoices.CopyTo(tail, 0);
        tail[plan.MessageChoices.Length] = (byte)',';
        usage.AsSpan(3).CopyTo(tail.AsSpan(plan.MessageChoices.Length + 1)); // skip the "[]," of the stream form
        return Concat("{\"id\":\"chatcmpl-emu-"u8, id, "\",\"object\":\"chat.completion\",\"created\":"u8, created, model, "\",\"choices\":"u8, tail);
    }

    /// <summary><c>[],"usage":{...}}</c>: the stream's usage chunk after <c>"choices":</c>.</summary>
    private static byte[] UsageTail(int promptTokens, int completionTokens) =>
        Encoding.UTF8.GetBytes(
            $"[],\"usage\":{{\"prompt_tokens\":{promptTokens},\"completion_tokens\":{completionTokens},\"total_tokens\":{promptTokens + completionTokens}}}}}");

    private static byte[] Concat(
        ReadOnlySpan<byte> head, long id, ReadOnlySpan<byte> middle, long created, byte[] model, ReadOnlySpan<byte> choices, ReadOnlySpan<byte> tail)
    {
        Span<byte> numbers = stackalloc byte[40];
        id.TryFormat(numbers, out var idLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        created.TryFormat(numbers[20..], out var createdLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        var result = new byte[head.Length + idLength + middle.Length + createdLength + ",\"model\":\""u8.Length + model.Length + choices.Length + tail.Length];
        var span = result.AsSpan();
        Append(ref span, head);
        Append(ref span, numbers[..idLength]);
        Append(ref span, middle);
        Append(ref span, numbers.Slice(20, createdLength));
        Append(ref span, ",\"model\":\""u8);
        Append(ref span, model);
        Append(ref span, choices);
        Append(ref span, tail);
        return result;
    }

    private static void Append(ref Span<byte> destination, scoped ReadOnlySpan<byte> source)
    {
        source.CopyTo(destination);
        destination = destination[source.Length..];
    }

    private static async ValueTask<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static Dictionary<string, string> CopyHeaders(IHeaderDictionary headers)
    {
        var copy = new Dictionary<string, string>(headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            copy[name] = value.ToString();
        }

        return copy;
    }

    private sealed record ParsedScenario(Scenario? Scenario, string? Error);
}
