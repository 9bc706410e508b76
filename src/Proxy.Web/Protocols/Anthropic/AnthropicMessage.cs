using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// A whole <c>chat.completion</c> as an Anthropic Message object:
/// <c>{"id":"msg_…","type":"message","role":"assistant","model":…,"content":[…],"stop_reason":…,"stop_sequence":null,"usage":{…}}</c>.
/// Content blocks in order: a <c>thinking</c> block for <c>reasoning_content</c> (when the request
/// asked to see it), a <c>text</c> block for <c>content</c>, a <c>tool_use</c> block per tool call with
/// its arguments parsed into <c>input</c>. Arguments that are empty become <c>{}</c>; arguments that are
/// not a JSON object are kept whole as <c>{"arguments":"…"}</c> rather than lost.
/// Usage: <c>input_tokens</c> is the prompt without cached tokens, <c>cache_read_input_tokens</c> the
/// cached ones (only when the upstream reports some), <c>output_tokens</c> the completion.
/// </summary>
internal static class AnthropicMessage
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] FromChatCompletion(ReadOnlySpan<byte> chatCompletion, AnthropicRequest request, string model, IAnthropicIds ids)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(chatCompletion);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return AnthropicErrors.ToJson(AnthropicErrors.Api, "The upstream answered with a body that is not JSON.", requestId: null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("error", out _))
            {
                return AnthropicErrors.ToJson(AnthropicErrors.Api, "The upstream answered without a completion.", requestId: null);
            }

            var message = default(JsonElement);
            var finish = default(JsonElement);
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                choice.TryGetProperty("message", out message);
                choice.TryGetProperty("finish_reason", out finish);
            }

            var output = new ArrayBufferWriter<byte>(chatCompletion.Length + 256);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("id"u8, ids.NewMessageId());
                writer.WriteString("type"u8, "message"u8);
                writer.WriteString("role"u8, "assistant"u8);
                writer.WriteString("model"u8, model);
                writer.WriteStartArray("content"u8);
                var hadToolCalls = message.ValueKind == JsonValueKind.Object && WriteContent(writer, message, request.ShowThinking, ids);
                writer.WriteEndArray();
                var reason = finish.ValueKind == JsonValueKind.String ? System.Text.Encoding.UTF8.GetBytes(finish.GetString()!) : null;
                writer.WriteString("stop_reason"u8, AnthropicStopReason.FromFinishReason(reason, hadToolCalls));
                writer.WriteNull("stop_sequence"u8);
                WriteUsage(writer, root);
                writer.WriteEndObject();
            }

            return output.WrittenSpan.ToArray();
        }
    }

    private static bool WriteContent(Utf8JsonWriter writer, JsonElement message, bool showThinking, IAnthropicIds ids)
    {
        if (showThinking && message.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String && reasoning.GetString()!.Length > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "thinking"u8);
            writer.WritePropertyName("thinking"u8);
            reasoning.WriteTo(writer);
            writer.WriteString("signature"u8, ""u8);
            writer.WriteEndObject();
        }

        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "text"u8);
            writer.WritePropertyName("text"u8);
            content.WriteTo(writer);
            writer.WriteEndObject();
        }

        var hadToolCalls = false;
        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                if (call.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                hadToolCalls = true;
                var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_use"u8);
                if (call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString()!.Length > 0)
                {
                    writer.WritePropertyName("id"u8);
                    id.WriteTo(writer);
                }
                else
                {
                    writer.WriteString("id"u8, ids.NewToolUseId());
                }

                if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    writer.WritePropertyName("name"u8);
                    name.WriteTo(writer);
                }
                else
                {
                    writer.WriteString("name"u8, ""u8);
                }

                writer.WritePropertyName("input"u8);
                WriteInput(writer, function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : string.Empty);
                writer.WriteEndObject();
            }
        }

        return hadToolCalls;
    }

    private static void WriteInput(Utf8JsonWriter writer, string arguments)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        try
        {
            using var parsed = JsonDocument.Parse(arguments);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                parsed.RootElement.WriteTo(writer);
                return;
            }
        }
        catch (JsonException)
        {
            // Kept whole below.
        }

        writer.WriteStartObject();
        writer.WriteString("arguments"u8, arguments);
        writer.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter writer, JsonElement root)
    {
        long prompt = 0, completion = 0, cached = 0;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            prompt = Number(usage, "prompt_tokens");
            completion = Number(usage, "completion_tokens");
            if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                cached = Number(details, "cached_tokens");
            }
        }

        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("input_tokens"u8, Math.Max(0, prompt - cached));
        if (cached > 0)
        {
            writer.WriteNumber("cache_read_input_tokens"u8, cached);
        }

        writer.WriteNumber("output_tokens"u8, completion);
        writer.WriteEndObject();
    }

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}
