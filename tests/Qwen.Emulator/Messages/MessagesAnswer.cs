using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Messages;

/// <summary>
/// A scenario's answer in Anthropic's shapes: the same text, reasoning and tool calls chat streams
/// (<see cref="EmulatorText"/>), as a Message object or as its events (<c>message_start</c>, a
/// <c>ping</c>, each block's start, deltas in <c>chunk_chars</c> pieces and stop, <c>message_delta</c>,
/// <c>message_stop</c>). Ids: <c>msg_emu_{n}</c>; a tool call <c>call_X</c> becomes <c>toolu_X</c>.
/// Usage: input = ceil(body bytes / 4), output = ceil(characters of text, reasoning and arguments / 4).
/// </summary>
internal sealed class MessagesAnswer
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _id;
    private readonly string _model;
    private readonly int _inputTokens;
    private readonly int _chunkChars;
    private readonly string _reasoning;
    private readonly string _text;
    private readonly IReadOnlyList<EmulatorToolCall> _calls;

    private MessagesAnswer(string id, string model, int inputTokens, int chunkChars, string reasoning, string text, IReadOnlyList<EmulatorToolCall> calls)
    {
        (_id, _model, _inputTokens, _chunkChars, _reasoning, _text, _calls) = (id, model, inputTokens, Math.Max(1, chunkChars), reasoning, text, calls);
    }

    private int OutputTokens => (_text.Length + _reasoning.Length + _calls.Sum(c => c.Arguments.Length) + 3) / 4;

    private string StopReason => _calls.Count > 0 ? "tool_use" : "end_turn";

    public static MessagesAnswer For(Scenario scenario, long requestId, string model, int inputTokens) => new(
        $"msg_emu_{requestId}",
        model,
        inputTokens,
        scenario.ChunkChars,
        scenario.Reasoning > 0 ? EmulatorText.Reasoning(scenario.Seed, scenario.Reasoning, scenario.ChunkChars) : string.Empty,
        scenario.Chunks > 0 ? EmulatorText.For(scenario.Seed, scenario.Chunks, scenario.ChunkChars) : string.Empty,
        EmulatorText.ToolCalls(scenario.Seed, scenario.Tools));

    /// <summary>The tool use id the emulator gives a chat tool call id.</summary>
    public static string ToolUseId(string callId) => "toolu_" + callId["call_".Length..];

    public byte[] Message() => Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", _id);
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", _model);
        w.WriteStartArray("content");
        if (_reasoning.Length > 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "thinking");
            w.WriteString("thinking", _reasoning);
            w.WriteString("signature", "emu_signature");
            w.WriteEndObject();
        }

        if (_text.Length > 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", _text);
            w.WriteEndObject();
        }

        foreach (var call in _calls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", ToolUseId(call.Id));
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            w.WriteRawValue(call.Arguments);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("stop_reason", StopReason);
        w.WriteNull("stop_sequence");
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", _inputTokens);
        w.WriteNumber("output_tokens", OutputTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public IReadOnlyList<byte[]> Events()
    {
        var events = new List<byte[]>
        {
            Event("message_start", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_start");
                w.WriteStartObject("message");
                w.WriteString("id", _id);
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", _model);
                w.WriteStartArray("content");
                w.WriteEndArray();
                w.WriteNull("stop_reason");
                w.WriteNull("stop_sequence");
                w.WriteStartObject("usage");
                w.WriteNumber("input_tokens", _inputTokens);
                w.WriteNumber("output_tokens", 1);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }),
            Event("ping", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "ping");
                w.WriteEndObject();
            }),
        };

        var index = 0;
        if (_reasoning.Length > 0)
        {
            AddBlock(events, index++, w =>
            {
                w.WriteString("type", "thinking");
                w.WriteString("thinking", string.Empty);
                w.WriteString("signature", string.Empty);
            }, _reasoning, "thinking_delta", "thinking");
        }

        if (_text.Length > 0)
        {
            AddBlock(events, index++, w =>
            {
                w.WriteString("type", "text");
                w.WriteString("text", string.Empty);
            }, _text, "text_delta", "text");
        }

        foreach (var call in _calls)
        {
            AddBlock(events, index++, w =>
            {
                w.WriteString("type", "tool_use");
                w.WriteString("id", ToolUseId(call.Id));
                w.WriteString("name", call.Name);
                w.WriteStartObject("input");
                w.WriteEndObject();
            }, call.Arguments, "input_json_delta", "partial_json");
        }

        events.Add(Event("message_delta", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", StopReason);
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", OutputTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
        events.Add(Event("message_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_stop");
            w.WriteEndObject();
        }));
        return events;
    }

    private void AddBlock(List<byte[]> events, int index, Action<Utf8JsonWriter> block, string content, string deltaType, string field)
    {
        events.Add(Event("content_block_start", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_start");
            w.WriteNumber("index", index);
            w.WriteStartObject("content_block");
            block(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
        for (var at = 0; at < content.Length; at += _chunkChars)
        {
            var piece = content.Substring(at, Math.Min(_chunkChars, content.Length - at));
            events.Add(Event("content_block_delta", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_delta");
                w.WriteNumber("index", index);
                w.WriteStartObject("delta");
                w.WriteString("type", deltaType);
                w.WriteString(field, piece);
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }

        if (deltaType == "thinking_delta")
        {
            // Anthropic signs a thinking block before it stops.
            events.Add(Event("content_block_delta", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_delta");
                w.WriteNumber("index", index);
                w.WriteStartObject("delta");
                w.WriteString("type", "signature_delta");
                w.WriteString("signature", "emu_signature");
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }

        events.Add(Event("content_block_stop", w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", index);
            w.WriteEndObject();
        }));
    }

    private static byte[] Event(string name, Action<Utf8JsonWriter> write)
    {
        var json = Json(write);
        var prefix = System.Text.Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        return [.. prefix, .. json, (byte)'\n', (byte)'\n'];
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
