using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Proxy.Web.Requests;

namespace Proxy.Web.Legacy;

/// <summary>
/// The legacy <c>/v1/completions</c> API on top of chat completions, as pure functions:
/// the request's <c>prompt</c> becomes one user message (every other field kept byte for byte),
/// and chat answers become <c>text_completion</c> answers.
/// </summary>
internal static class LegacyCompletions
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Replaces <c>"prompt": "…"</c> (or an array of strings, joined with newlines) with
    /// <c>"messages":[{"role":"user","content":"…"}]</c> at the same place in the object.
    /// </summary>
    public static bool TryToChatRequest(ReadOnlySpan<byte> body, [NotNullWhen(true)] out byte[]? chatBody, [NotNullWhen(false)] out RequestError? error)
    {
        chatBody = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = new RequestError("The request body is empty; send a JSON object with 'model' and 'prompt'.");
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            error = new RequestError("The request body is not valid UTF-8.");
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new RequestError("The request body must be a JSON object.");
                return false;
            }

            string? prompt = null;
            int promptStart = -1, promptEnd = -1, stringStart = -1;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                if (reader.ValueTextEquals("messages"u8))
                {
                    error = new RequestError("'messages' belongs to /v1/chat/completions; /v1/completions takes 'prompt'.", "messages");
                    return false;
                }

                var isPrompt = reader.ValueTextEquals("prompt"u8);
                reader.Read();
                if (!isPrompt)
                {
                    reader.Skip();
                    continue;
                }

                if (promptStart >= 0)
                {
                    error = new RequestError("'prompt' appears more than once.", "prompt");
                    return false;
                }

                stringStart = reader.TokenType == JsonTokenType.String ? (int)reader.TokenStartIndex : -1;
                if (!TryReadPrompt(ref reader, out prompt, out error))
                {
                    return false;
                }

                promptStart = nameStart;
                promptEnd = (int)reader.BytesConsumed;
            }

            if (reader.Read())
            {
                error = new RequestError("The request body must be a single JSON object.");
                return false;
            }

            if (prompt is null)
            {
                error = new RequestError("'prompt' is required.", "prompt");
                return false;
            }

            // A string prompt is copied as the client encoded it; an array is joined and re-encoded.
            chatBody = Replace(body, promptStart, promptEnd, stringStart >= 0 ? body[stringStart..promptEnd] : Encode(prompt));
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            error = new RequestError("The request body is not valid JSON: " + (cut > 0 ? message[..cut] : message));
            return false;
        }
    }

    /// <summary>A <c>chat.completion</c> answer as a <c>text_completion</c> answer.</summary>
    public static byte[] ToTextCompletion(ReadOnlySpan<byte> chatCompletion) => Translate(chatCompletion, stream: false);

    /// <summary>
    /// A <c>chat.completion.chunk</c> (the JSON of one SSE <c>data:</c> line) as a
    /// <c>text_completion</c> chunk. Anything else (an error event, a non-object) is returned unchanged.
    /// </summary>
    public static byte[] ToTextCompletionChunk(ReadOnlySpan<byte> chatChunk) => Translate(chatChunk, stream: true);

    private static bool TryReadPrompt(ref Utf8JsonReader reader, out string? prompt, [NotNullWhen(false)] out RequestError? error)
    {
        prompt = null;
        error = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                prompt = reader.GetString()!;
                return true;
            case JsonTokenType.StartArray:
                var parts = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = new RequestError("'prompt' must be a string or an array of strings (token ids are not supported).", "prompt");
                        return false;
                    }

                    parts.Add(reader.GetString()!);
                }

                if (parts.Count == 0)
                {
                    error = new RequestError("'prompt' must not be an empty array.", "prompt");
                    return false;
                }

                prompt = string.Join('\n', parts);
                return true;
            default:
                error = new RequestError("'prompt' must be a string or an array of strings.", "prompt");
                return false;
        }
    }

    private static byte[] Encode(string text)
    {
        var encoded = new ArrayBufferWriter<byte>(text.Length + 2);
        using (var writer = new Utf8JsonWriter(encoded, WriterOptions))
        {
            writer.WriteStringValue(text);
        }

        return encoded.WrittenSpan.ToArray();
    }

    private static byte[] Replace(ReadOnlySpan<byte> body, int start, int end, ReadOnlySpan<byte> contentJson)
    {
        ReadOnlySpan<byte> open = "\"messages\":[{\"role\":\"user\",\"content\":"u8;
        ReadOnlySpan<byte> close = "}]"u8;
        var result = new byte[body.Length - (end - start) + open.Length + contentJson.Length + close.Length];
        var span = result.AsSpan();
        body[..start].CopyTo(span);
        var at = start;
        open.CopyTo(span[at..]);
        at += open.Length;
        contentJson.CopyTo(span[at..]);
        at += contentJson.Length;
        close.CopyTo(span[at..]);
        at += close.Length;
        body[end..].CopyTo(span[at..]);
        return result;
    }

    private static byte[] Translate(ReadOnlySpan<byte> json, bool stream)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                return json.ToArray();
            }

            document = parsed;
        }
        catch (JsonException)
        {
            return json.ToArray();
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("error", out _))
            {
                return json.ToArray();
            }

            var output = new ArrayBufferWriter<byte>(json.Length + 64);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                writer.WriteStartObject();
                CopyIfPresent(writer, root, "id");
                writer.WriteString("object", "text_completion");
                CopyIfPresent(writer, root, "created");
                CopyIfPresent(writer, root, "model");
                CopyIfPresent(writer, root, "system_fingerprint");
                writer.WriteStartArray("choices");
                if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
                {
                    var position = 0;
                    foreach (var choice in choices.EnumerateArray())
                    {
                        WriteChoice(writer, choice, stream, position++);
                    }
                }

                writer.WriteEndArray();
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind != JsonValueKind.Null)
                {
                    writer.WritePropertyName("usage");
                    usage.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            return output.WrittenSpan.ToArray();
        }
    }

    private static void WriteChoice(Utf8JsonWriter writer, JsonElement choice, bool stream, int position)
    {
        writer.WriteStartObject();
        var source = choice.TryGetProperty(stream ? "delta" : "message", out var s) ? s : default;
        var text = source.ValueKind == JsonValueKind.Object && source.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;
        writer.WriteString("text", text ?? string.Empty);
        if (choice.TryGetProperty("index", out var index))
        {
            writer.WritePropertyName("index");
            index.WriteTo(writer);
        }
        else
        {
            writer.WriteNumber("index", position);
        }

        writer.WriteNull("logprobs");
        if (choice.TryGetProperty("finish_reason", out var finish))
        {
            writer.WritePropertyName("finish_reason");
            finish.WriteTo(writer);
        }
        else
        {
            writer.WriteNull("finish_reason");
        }

        writer.WriteEndObject();
    }

    private static void CopyIfPresent(Utf8JsonWriter writer, JsonElement root, string name)
    {
        if (root.TryGetProperty(name, out var value))
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
    }
}
