using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Responses;

/// <summary>
/// <c>POST /v1/responses</c> (and DashScope's <c>/api/v2/apps/protocols/compatible-mode/v1/responses</c>):
/// the Responses API served natively, as DashScope does. The answer is the scenario's text
/// (<see cref="EmulatorText.For"/>) as one <c>message</c> item, then with <c>tools=N</c> N
/// <c>function_call</c> items (<see cref="EmulatorText.ToolCalls"/>); streamed as OpenAI documents
/// the events, <c>chunk_chars</c> characters per delta. Auth, the scenario header and the status faults
/// (<c>fault=503</c>, <c>quota</c>, …) work as on chat; <c>reset_mid:K</c> cuts the stream after K events.
/// Turned off with <c>--no-responses</c> (then the path is 404, as on an upstream without it).
/// </summary>
internal sealed class ResponsesEndpoint(EmulatorState state, Scenario baseline, IEnumerable<string> apiKeys)
{
    private readonly HashSet<string> _apiKeys = new(apiKeys, StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = context.Request;
        var scenarioText = request.Headers[ChatEndpoint.ScenarioHeader] is { Count: > 0 } values ? values.ToString() : null;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, aborted);
        var body = buffer.ToArray();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var record = state.BeginChat(request.Path.Value ?? "", scenarioText, body, headers, request.Protocol);
        try
        {
            await RespondAsync(context, record, body, scenarioText);
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

    private async Task RespondAsync(HttpContext context, RequestRecord record, byte[] body, string? scenarioText)
    {
        Scenario scenario;
        try
        {
            scenario = scenarioText is null ? baseline : ScenarioParser.Parse(scenarioText, baseline);
        }
        catch (FormatException e)
        {
            await WriteJsonAsync(context, record, 400, ErrorBodies.BadScenario(e.Message));
            return;
        }

        if (!EmulatorAuth.IsAuthorized(state, _apiKeys, context.Request.Headers.Authorization.ToString()))
        {
            await WriteJsonAsync(context, record, 401, ErrorBodies.InvalidToken);
            return;
        }

        string model;
        bool stream;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "qwen3-coder-plus";
            stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            await WriteJsonAsync(context, record, 400, ErrorBodies.InvalidJson);
            return;
        }

        var fault = ChatEndpoint.FaultApplies(scenario, record.Id) ? scenario.Fault : FaultType.None;
        if (fault != FaultType.None)
        {
            record.SetFault(scenario.FaultText ?? fault.ToString());
        }

        switch (fault)
        {
            case FaultType.Status:
                await WriteJsonAsync(context, record, scenario.FaultStatus, ErrorBodies.ForStatus(scenario.FaultStatus));
                return;
            case FaultType.Quota429:
                await WriteJsonAsync(context, record, 429, ErrorBodies.Quota429);
                return;
            case FaultType.Quota403:
                await WriteJsonAsync(context, record, 403, ErrorBodies.Quota403);
                return;
            case FaultType.ResetBefore:
                record.SetStatus(0);
                context.Abort();
                return;
        }

        if (scenario.Tools > 0 && state.Options.ToolsOnce && ToolTurns.EndsWithToolResult(body))
        {
            scenario = scenario with { Tools = 0 };
        }

        var answer = new Answer(record.Id, state.Now.ToUnixTimeSeconds(), model, scenario, (body.Length + 3) / 4);
        if (!stream)
        {
            var whole = answer.Whole();
            record.SetStatus(200);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = whole.Length;
            await context.Response.Body.WriteAsync(whole, context.RequestAborted);
            return;
        }

        record.SetStatus(200);
        // A reset mid-stream is cut at an exact byte (FIN after what was flushed), as chat streams are.
        var cut = fault == FaultType.ResetMid ? CutOutput.For(context, "text/event-stream", contentLength: null) : null;
        EventOutput output;
        if (cut is not null)
        {
            output = cut;
        }
        else
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            output = new PipeOutput(context.Response.BodyWriter);
        }

        var sent = 0;
        foreach (var frame in answer.Events())
        {
            if (fault == FaultType.ResetMid && sent == scenario.FaultAfter)
            {
                if (cut is not null)
                {
                    await cut.CutAsync(context, record);
                }
                else
                {
                    await output.FlushAsync(context.RequestAborted);
                    context.Abort();
                }

                return;
            }

            if (sent > 0 && scenario.DelayMs > 0)
            {
                await Task.Delay(scenario.DelayMs, context.RequestAborted);
            }

            output.Write(frame);
            await output.FlushAsync(context.RequestAborted);
            sent++;
            record.SetEventsSent(sent);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, RequestRecord record, int status, byte[] body)
    {
        record.SetStatus(status);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>One request's answer: the Response object, or its events one frame at a time.</summary>
    private sealed class Answer(long id, long created, string model, Scenario scenario, int inputTokens)
    {
        private readonly string _text = EmulatorText.For(scenario.Seed, scenario.Chunks, scenario.ChunkChars);
        private readonly IReadOnlyList<EmulatorToolCall> _calls = scenario.Tools > 0 ? EmulatorText.ToolCalls(scenario.Seed, scenario.Tools) : [];
        private int _sequence;

        private string ResponseId => $"resp_emu_{id}";

        private int OutputTokens => (_text.Length + _calls.Sum(c => c.Arguments.Length) + 3) / 4;

        public byte[] Whole() => Json(w => WriteResponse(w, "completed", withOutput: true));

        public IEnumerable<byte[]> Events()
        {
            yield return Event("response.created", w => { w.WritePropertyName("response"); WriteResponse(w, "in_progress", withOutput: false); });
            yield return Event("response.in_progress", w => { w.WritePropertyName("response"); WriteResponse(w, "in_progress", withOutput: false); });
            var index = 0;
            if (_text.Length > 0)
            {
                var itemId = $"msg_emu_{id}";
                var at = index;
                yield return Event("response.output_item.added", w => { w.WriteNumber("output_index", at); w.WritePropertyName("item"); WriteMessage(w, itemId, "in_progress", null); });
                yield return Event("response.content_part.added", w => { Ref(w, itemId, at); w.WriteNumber("content_index", 0); w.WritePropertyName("part"); WritePart(w, ""); });
                foreach (var piece in Pieces(_text))
                {
                    yield return Event("response.output_text.delta", w => { Ref(w, itemId, at); w.WriteNumber("content_index", 0); w.WriteString("delta", piece); w.WriteStartArray("logprobs"); w.WriteEndArray(); });
                }

                yield return Event("response.output_text.done", w => { Ref(w, itemId, at); w.WriteNumber("content_index", 0); w.WriteString("text", _text); w.WriteStartArray("logprobs"); w.WriteEndArray(); });
                yield return Event("response.content_part.done", w => { Ref(w, itemId, at); w.WriteNumber("content_index", 0); w.WritePropertyName("part"); WritePart(w, _text); });
                yield return Event("response.output_item.done", w => { w.WriteNumber("output_index", at); w.WritePropertyName("item"); WriteMessage(w, itemId, "completed", _text); });
                index++;
            }

            foreach (var call in _calls)
            {
                var itemId = $"fc_emu_{id}_{call.Index}";
                var at = index;
                yield return Event("response.output_item.added", w => { w.WriteNumber("output_index", at); w.WritePropertyName("item"); WriteCall(w, itemId, call, "in_progress", ""); });
                foreach (var piece in Pieces(call.Arguments))
                {
                    yield return Event("response.function_call_arguments.delta", w => { Ref(w, itemId, at); w.WriteString("delta", piece); });
                }

                yield return Event("response.function_call_arguments.done", w => { Ref(w, itemId, at); w.WriteString("name", call.Name); w.WriteString("arguments", call.Arguments); });
                yield return Event("response.output_item.done", w => { w.WriteNumber("output_index", at); w.WritePropertyName("item"); WriteCall(w, itemId, call, "completed", call.Arguments); });
                index++;
            }

            yield return Event("response.completed", w => { w.WritePropertyName("response"); WriteResponse(w, "completed", withOutput: true); });
        }

        private IEnumerable<string> Pieces(string text)
        {
            var size = Math.Max(1, scenario.ChunkChars);
            for (var i = 0; i < text.Length; i += size)
            {
                yield return text.Substring(i, Math.Min(size, text.Length - i));
            }
        }

        private void WriteResponse(Utf8JsonWriter w, string status, bool withOutput)
        {
            w.WriteStartObject();
            w.WriteString("id", ResponseId);
            w.WriteString("object", "response");
            w.WriteNumber("created_at", created);
            w.WriteString("status", status);
            w.WriteNull("error");
            w.WriteNull("incomplete_details");
            w.WriteNull("instructions");
            w.WriteString("model", model);
            w.WriteStartArray("output");
            if (withOutput)
            {
                if (_text.Length > 0)
                {
                    WriteMessage(w, $"msg_emu_{id}", "completed", _text);
                }

                foreach (var call in _calls)
                {
                    WriteCall(w, $"fc_emu_{id}_{call.Index}", call, "completed", call.Arguments);
                }
            }

            w.WriteEndArray();
            w.WriteBoolean("parallel_tool_calls", true);
            w.WriteNull("temperature");
            w.WriteString("tool_choice", "auto");
            w.WriteStartArray("tools");
            w.WriteEndArray();
            w.WriteNull("top_p");
            if (withOutput)
            {
                w.WriteStartObject("usage");
                w.WriteNumber("input_tokens", inputTokens);
                w.WriteStartObject("input_tokens_details");
                w.WriteNumber("cached_tokens", 0);
                w.WriteEndObject();
                w.WriteNumber("output_tokens", OutputTokens);
                w.WriteStartObject("output_tokens_details");
                w.WriteNumber("reasoning_tokens", 0);
                w.WriteEndObject();
                w.WriteNumber("total_tokens", inputTokens + OutputTokens);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("usage");
            }

            w.WriteStartObject("metadata");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static void WriteMessage(Utf8JsonWriter w, string itemId, string status, string? text)
        {
            w.WriteStartObject();
            w.WriteString("id", itemId);
            w.WriteString("type", "message");
            w.WriteString("status", status);
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            if (text is not null)
            {
                WritePart(w, text);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WritePart(Utf8JsonWriter w, string text)
        {
            w.WriteStartObject();
            w.WriteString("type", "output_text");
            w.WriteString("text", text);
            w.WriteStartArray("annotations");
            w.WriteEndArray();
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WriteCall(Utf8JsonWriter w, string itemId, EmulatorToolCall call, string status, string arguments)
        {
            w.WriteStartObject();
            w.WriteString("id", itemId);
            w.WriteString("type", "function_call");
            w.WriteString("status", status);
            w.WriteString("call_id", call.Id);
            w.WriteString("name", call.Name);
            w.WriteString("arguments", arguments);
            w.WriteEndObject();
        }

        private static void Ref(Utf8JsonWriter w, string itemId, int outputIndex)
        {
            w.WriteString("item_id", itemId);
            w.WriteNumber("output_index", outputIndex);
        }

        private byte[] Event(string type, Action<Utf8JsonWriter> members)
        {
            var data = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                members(w);
                w.WriteNumber("sequence_number", _sequence++);
                w.WriteEndObject();
            });
            return Encoding.UTF8.GetBytes($"event: {type}\ndata: {Encoding.UTF8.GetString(data)}\n\n");
        }

        private static byte[] Json(Action<Utf8JsonWriter> write)
        {
            var output = new ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                write(writer);
            }

            return output.WrittenSpan.ToArray();
        }
    }
}
