using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>Builds <c>chat.completion.chunk</c> payloads shaped like Qwen's compatible-mode stream.</summary>
internal static class ChunkJson
{
    private static readonly JsonSerializerOptions Strict = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string Id = "chatcmpl-69c25da8-a5a6-9ecc-9f9c-d2f9f359d92e";

    /// <summary>A JSON string literal; <paramref name="asciiOnly"/> escapes every non-ASCII character as \uXXXX.</summary>
    public static string Quote(string? value, bool asciiOnly = false) =>
        value is null ? "null" : JsonSerializer.Serialize(value, asciiOnly ? Strict : Relaxed);

    public static string Content(string? content, string? finishReason = null, bool asciiOnly = false, string? role = null)
    {
        var delta = role is null
            ? $"{{\"content\":{Quote(content, asciiOnly)}}}"
            : $"{{\"role\":\"{role}\",\"content\":{Quote(content, asciiOnly)}}}";
        return Envelope(delta, finishReason);
    }

    public static string Role() => Envelope("{\"role\":\"assistant\"}", null);

    public static string Reasoning(string text) => Envelope($"{{\"reasoning_content\":{Quote(text)}}}", null);

    public static string ToolCall(int index, string? id, string? name, string arguments)
    {
        var head = id is null ? "" : $"\"id\":\"{id}\",\"type\":\"function\",";
        var fn = name is null ? $"{{\"arguments\":{Quote(arguments)}}}" : $"{{\"name\":\"{name}\",\"arguments\":{Quote(arguments)}}}";
        return Envelope($"{{\"tool_calls\":[{{\"index\":{index},{head}\"function\":{fn}}}]}}", null);
    }

    public static string Finish(string reason) => Envelope("{\"content\":\"\"}", reason);

    public static string Usage(int prompt, int completion) =>
        $"{{\"choices\":[],\"object\":\"chat.completion.chunk\",\"usage\":{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{prompt + completion}}},\"created\":1756618477,\"system_fingerprint\":null,\"model\":\"qwen3-coder-plus\",\"id\":\"{Id}\"}}";

    public static string Unknown(string content) =>
        $"{{\"choices\":[{{\"delta\":{{\"content\":{Quote(content)},\"x_extra\":{{\"a\":[1,2]}}}},\"finish_reason\":null,\"index\":0,\"logprobs\":null}}],\"object\":\"chat.completion.chunk\",\"x_trace\":\"t-1\",\"usage\":null,\"created\":1756618477,\"system_fingerprint\":null,\"model\":\"qwen3-coder-plus\",\"id\":\"{Id}\"}}";

    public static string Envelope(string delta, string? finishReason) =>
        $"{{\"choices\":[{{\"delta\":{delta},\"finish_reason\":{Quote(finishReason)},\"index\":0,\"logprobs\":null}}],\"object\":\"chat.completion.chunk\",\"usage\":null,\"created\":1756618477,\"system_fingerprint\":null,\"model\":\"qwen3-coder-plus\",\"id\":\"{Id}\"}}";

    /// <summary>The concatenated <c>choices[0].delta.content</c> of the payloads, as a client would show it.</summary>
    public static string ClientText(IEnumerable<byte[]> payloads)
    {
        var text = new StringBuilder();
        foreach (var payload in payloads)
        {
            text.Append(ContentOf(payload));
        }

        return text.ToString();
    }

    /// <summary><c>choices[0].delta.content</c> read by System.Text.Json (its own unescaping), or null.</summary>
    public static string? ContentOf(byte[] payload)
    {
        var reader = new Utf8JsonReader(payload);
        var path = 0; // 1: in choices, 2: in choices[0], 3: in choices[0].delta
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("choices"u8):
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                    {
                        return null;
                    }

                    depth = 3;
                    path = 2;
                    break;
                case JsonTokenType.PropertyName when path == 2 && depth == 3 && reader.ValueTextEquals("delta"u8):
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return null;
                    }

                    depth++;
                    path = 3;
                    break;
                case JsonTokenType.PropertyName when path == 3 && depth == 4 && reader.ValueTextEquals("content"u8):
                    reader.Read();
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                case JsonTokenType.PropertyName:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }

        return null;
    }

    public static byte[] Bytes(string payload) => Encoding.UTF8.GetBytes(payload);
}
