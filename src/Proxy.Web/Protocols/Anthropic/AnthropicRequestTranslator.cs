using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Proxy.Web.Requests;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// An Anthropic Messages request as a chat completions request, as a pure function (bytes in,
/// bytes out). The rules, in the order the README lists them:
/// <list type="bullet">
/// <item><c>system</c> (a string, or text blocks joined with a blank line) becomes the first, <c>system</c>, message;
/// the text of <c>system</c> messages inside <c>messages</c> (Claude Code's mid-conversation system beta) is
/// appended to it, since many chat upstreams take a system message only in first place.</item>
/// <item>User text blocks become the message's text (joined with a blank line); with an image
/// (<c>base64</c> source as a <c>data:</c> URL, or a <c>url</c> source) the content becomes parts
/// (<c>text</c> and <c>image_url</c>). A <c>document</c> with a plain-text source is text; other documents are refused.</item>
/// <item>A <c>tool_result</c> block becomes a <c>tool</c> message (its text; <c>is_error</c> puts
/// <c>Error: </c> in front), placed before the rest of its user message as chat completions wants;
/// images inside it move to that user message.</item>
/// <item>Assistant <c>text</c> blocks become <c>content</c>, <c>tool_use</c> blocks <c>tool_calls</c>
/// (the input as the arguments' JSON text). <c>thinking</c>, <c>redacted_thinking</c> and the blocks of
/// server tools (<c>server_tool_use</c>, <c>*_tool_result</c>, <c>mcp_*</c>) are dropped: a chat upstream
/// has no field for them.</item>
/// <item>Custom tools become function tools; server tools (any tool with a <c>type</c> other than
/// <c>custom</c>: <c>web_search_*</c>, <c>bash_*</c>, <c>text_editor_*</c>, ...) are dropped.</item>
/// <item><c>tool_choice</c>: auto to <c>auto</c>, any to <c>required</c>, tool to the named function,
/// none to <c>none</c>; <c>disable_parallel_tool_use: true</c> to <c>parallel_tool_calls: false</c>.</item>
/// <item><c>max_tokens</c>, <c>temperature</c>, <c>top_p</c> and <c>top_k</c> pass under their names
/// (Qwen takes <c>top_k</c>); <c>stop_sequences</c> becomes <c>stop</c>; <c>metadata.user_id</c> becomes <c>user</c>.</item>
/// <item><c>thinking</c>: enabled or adaptive to <c>enable_thinking: true</c> (with <c>thinking_budget</c>
/// from <c>budget_tokens</c>), disabled to <c>enable_thinking: false</c>.</item>
/// <item><c>stream: true</c> adds <c>stream_options.include_usage</c> so the closing usage is known.</item>
/// <item>Ignored: <c>output_config</c> (effort has no chat equivalent on Qwen), <c>context_management</c>,
/// <c>container</c>, <c>mcp_servers</c>, <c>service_tier</c>, <c>cache_control</c> on blocks, <c>citations</c>, and any other field.</item>
/// </list>
/// Refused with 400: a body that is not a JSON object, no <c>messages</c>, no <c>max_tokens</c>, a
/// message or block of the wrong shape, a role other than user, assistant or system, an unknown user block type.
/// </summary>
internal static class AnthropicRequestTranslator
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    public static bool TryTranslate(
        ReadOnlySpan<byte> body,
        [NotNullWhen(true)] out byte[]? chatBody,
        [NotNullWhen(true)] out AnthropicRequest? request,
        [NotNullWhen(false)] out RequestError? error,
        bool requireMaxTokens = true,
        Func<string, string>? upstreamModel = null)
    {
        chatBody = null;
        request = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = new RequestError("The request body is empty; send a JSON object with 'model', 'max_tokens' and 'messages'.");
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            error = new RequestError("The request body is not valid UTF-8.");
            return false;
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                error = new RequestError("The request body must be a single JSON object.");
                return false;
            }
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
            error = new RequestError("The request body is not valid JSON: " + (cut > 0 ? message[..cut] : message));
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = new RequestError("The request body must be a JSON object.");
                return false;
            }

            var context = new Translation { UpstreamModel = upstreamModel };
            var output = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                if (!TryWrite(root, writer, context, requireMaxTokens, out error))
                {
                    return false;
                }
            }

            chatBody = output.WrittenSpan.ToArray();
            var estimate = AnthropicTokenEstimate.Estimate(chatBody.Length - context.ImageBytes, context.Images);
            request = new AnthropicRequest(context.Model, context.Stream, context.ShowThinking, estimate);
            return true;
        }
    }

    private static bool TryWrite(JsonElement root, Utf8JsonWriter writer, Translation context, bool requireMaxTokens, [NotNullWhen(false)] out RequestError? error)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
        {
            error = new RequestError("messages: Field required", "messages");
            return false;
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            error = new RequestError("messages: Input should be a valid list", "messages");
            return false;
        }

        long maxTokensValue = 0;
        var hasMaxTokens = root.TryGetProperty("max_tokens", out var maxTokens) && maxTokens.ValueKind != JsonValueKind.Null;
        if (!hasMaxTokens && requireMaxTokens)
        {
            error = new RequestError("max_tokens: Field required", "max_tokens");
            return false;
        }

        if (hasMaxTokens && (maxTokens.ValueKind != JsonValueKind.Number || !maxTokens.TryGetInt64(out maxTokensValue) || maxTokensValue < 1))
        {
            error = new RequestError("max_tokens: Input should be a whole number of at least 1", "max_tokens");
            return false;
        }

        writer.WriteStartObject();
        if (root.TryGetProperty("model", out var model) && model.ValueKind != JsonValueKind.Null)
        {
            if (model.ValueKind != JsonValueKind.String)
            {
                error = new RequestError("model: Input should be a valid string", "model");
                return false;
            }

            context.Model = model.GetString()!;
            if (context.UpstreamModel?.Invoke(context.Model) is { } target && !string.Equals(target, context.Model, StringComparison.Ordinal))
            {
                writer.WriteString("model"u8, target);
            }
            else
            {
                writer.WritePropertyName("model"u8);
                model.WriteTo(writer);
            }
        }

        writer.WriteStartArray("messages"u8);
        var systemTexts = new List<string>();
        if (root.TryGetProperty("system", out var system) && !TryCollectSystem(system, "system", systemTexts, out error))
        {
            return false;
        }

        // System messages inside the conversation (Claude Code's mid-conversation-system beta) join the
        // leading system message: many chat upstreams (Qwen's chat template among them) take a system
        // message only as the first one.
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueEquals("system"u8))
            {
                var at = $"messages.{index}.content";
                if (!message.TryGetProperty("content", out var content))
                {
                    error = new RequestError(at + ": Field required", "messages");
                    return false;
                }

                if (!TryCollectSystem(content, at, systemTexts, out error))
                {
                    return false;
                }
            }

            index++;
        }

        if (systemTexts.Count > 0)
        {
            WriteTextMessage(writer, "system"u8, string.Join("\n\n", systemTexts));
        }

        var position = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (!TryWriteMessage(message, position++, writer, context, out error))
            {
                return false;
            }
        }

        writer.WriteEndArray();
        if (hasMaxTokens)
        {
            writer.WriteNumber("max_tokens"u8, maxTokensValue);
        }

        if (root.TryGetProperty("stream", out var stream) && stream.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            error = new RequestError("stream: Input should be a valid boolean", "stream");
            return false;
        }

        context.Stream = stream.ValueKind == JsonValueKind.True;
        if (context.Stream)
        {
            writer.WriteBoolean("stream"u8, true);
            writer.WriteStartObject("stream_options"u8);
            writer.WriteBoolean("include_usage"u8, true);
            writer.WriteEndObject();
        }

        if (!TryCopyNumber(root, "temperature", "temperature"u8, writer, out error)
            || !TryCopyNumber(root, "top_p", "top_p"u8, writer, out error)
            || !TryCopyNumber(root, "top_k", "top_k"u8, writer, out error)
            || !TryWriteStop(root, writer, out error)
            || !AnthropicTools.TryWrite(root, writer, out error)
            || !TryWriteThinking(root, writer, context, out error))
        {
            return false;
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id", out var userId) && userId.ValueKind == JsonValueKind.String)
        {
            writer.WritePropertyName("user"u8);
            userId.WriteTo(writer);
        }

        writer.WriteEndObject();
        error = null;
        return true;
    }

    private static bool TryCollectSystem(JsonElement system, string at, List<string> texts, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        switch (system.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                texts.Add(system.GetString()!);
                return true;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var block in system.EnumerateArray())
                {
                    if (!TryGetText(block, out var text))
                    {
                        error = new RequestError($"{at}.{index}: Input should be a text block ({{\"type\":\"text\",\"text\":\"...\"}})", at == "system" ? "system" : "messages");
                        return false;
                    }

                    texts.Add(text);
                    index++;
                }

                return true;
            default:
                error = new RequestError($"{at}: Input should be a valid string or a list of text blocks", at == "system" ? "system" : "messages");
                return false;
        }
    }

    private static bool TryWriteMessage(JsonElement message, int position, Utf8JsonWriter writer, Translation context, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var at = $"messages.{position}";
        if (message.ValueKind != JsonValueKind.Object)
        {
            error = new RequestError($"{at}: Input should be an object with 'role' and 'content'", "messages");
            return false;
        }

        if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
        {
            error = new RequestError($"{at}.role: Field required", "messages");
            return false;
        }

        var isUser = role.ValueEquals("user"u8);
        var isSystem = !isUser && role.ValueEquals("system"u8);
        if (!isUser && !isSystem && !role.ValueEquals("assistant"u8))
        {
            error = new RequestError($"{at}.role: Input should be 'user', 'assistant' or 'system'", "messages");
            return false;
        }

        if (!message.TryGetProperty("content", out var content))
        {
            error = new RequestError($"{at}.content: Field required", "messages");
            return false;
        }

        if (isSystem)
        {
            return true; // already part of the leading system message
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            WriteTextMessage(writer, isUser ? "user"u8 : "assistant"u8, content.GetString()!);
            return true;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            error = new RequestError($"{at}.content: Input should be a valid string or a list of content blocks", "messages");
            return false;
        }

        return isUser
            ? TryWriteUserBlocks(content, at, writer, context, out error)
            : TryWriteAssistantBlocks(content, at, writer, out error);
    }

    private static bool TryWriteUserBlocks(JsonElement content, string at, Utf8JsonWriter writer, Translation context, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var parts = new List<Part>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var where = $"{at}.content.{index++}";
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                error = new RequestError($"{where}: Input should be a content block with a 'type'", "messages");
                return false;
            }

            switch (type.GetString())
            {
                case "text":
                    if (!TryGetText(block, out var text))
                    {
                        error = new RequestError($"{where}.text: Field required", "messages");
                        return false;
                    }

                    parts.Add(Part.Text(text));
                    break;
                case "image":
                    if (!TryGetImageUrl(block, where, out var url, out error))
                    {
                        return false;
                    }

                    context.CountImage(url);
                    parts.Add(Part.Image(url));
                    break;
                case "document":
                    if (!TryGetDocumentText(block, where, out var document, out error))
                    {
                        return false;
                    }

                    parts.Add(Part.Text(document));
                    break;
                case "tool_result":
                    if (!TryWriteToolResult(block, where, writer, parts, context, out error))
                    {
                        return false;
                    }

                    break;
                case "thinking" or "redacted_thinking":
                    break;
                case var other:
                    error = new RequestError($"{where}.type: '{other}' content blocks are not supported on this path (text, image, document with a text source, tool_result)", "messages");
                    return false;
            }
        }

        if (parts.Count > 0)
        {
            WriteUserParts(writer, parts);
        }

        return true;
    }

    private static bool TryWriteToolResult(JsonElement block, string where, Utf8JsonWriter writer, List<Part> parts, Translation context, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (!block.TryGetProperty("tool_use_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            error = new RequestError($"{where}.tool_use_id: Field required", "messages");
            return false;
        }

        var texts = new List<string>();
        if (block.TryGetProperty("content", out var content))
        {
            switch (content.ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.String:
                    texts.Add(content.GetString()!);
                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var inner in content.EnumerateArray())
                    {
                        var innerAt = $"{where}.content.{index++}";
                        if (TryGetText(inner, out var text))
                        {
                            texts.Add(text);
                        }
                        else if (inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("type", out var type) && type.ValueEquals("image"u8))
                        {
                            if (!TryGetImageUrl(inner, innerAt, out var url, out error))
                            {
                                return false;
                            }

                            context.CountImage(url);
                            parts.Add(Part.Image(url));
                        }
                        else if (inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("type", out var docType) && docType.ValueEquals("document"u8))
                        {
                            if (!TryGetDocumentText(inner, innerAt, out var document, out error))
                            {
                                return false;
                            }

                            texts.Add(document);
                        }
                        else
                        {
                            error = new RequestError($"{innerAt}: tool_result content should be text, image or document blocks", "messages");
                            return false;
                        }
                    }

                    break;
                default:
                    error = new RequestError($"{where}.content: Input should be a valid string or a list of content blocks", "messages");
                    return false;
            }
        }

        var isError = block.TryGetProperty("is_error", out var flag) && flag.ValueKind == JsonValueKind.True;
        var joined = string.Join("\n\n", texts);
        writer.WriteStartObject();
        writer.WriteString("role"u8, "tool"u8);
        writer.WritePropertyName("tool_call_id"u8);
        id.WriteTo(writer);
        writer.WriteString("content"u8, isError ? "Error: " + joined : joined);
        writer.WriteEndObject();
        return true;
    }

    private static bool TryWriteAssistantBlocks(JsonElement content, string at, Utf8JsonWriter writer, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var texts = new List<string>();
        var calls = new List<JsonElement>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var where = $"{at}.content.{index++}";
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                error = new RequestError($"{where}: Input should be a content block with a 'type'", "messages");
                return false;
            }

            if (type.ValueEquals("text"u8))
            {
                if (!TryGetText(block, out var text))
                {
                    error = new RequestError($"{where}.text: Field required", "messages");
                    return false;
                }

                texts.Add(text);
            }
            else if (type.ValueEquals("tool_use"u8))
            {
                if (!block.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                    || !block.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    error = new RequestError($"{where}: a tool_use block needs 'id' and 'name'", "messages");
                    return false;
                }

                calls.Add(block);
            }

            // Anything else an assistant turn holds (thinking, redacted_thinking, server tool use
            // and results) was produced upstream or by a server tool; a chat upstream takes none of it.
        }

        if (texts.Count == 0 && calls.Count == 0)
        {
            return true;
        }

        writer.WriteStartObject();
        writer.WriteString("role"u8, "assistant"u8);
        if (texts.Count == 0)
        {
            writer.WriteNull("content"u8);
        }
        else
        {
            writer.WriteString("content"u8, string.Join("\n\n", texts));
        }

        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("id"u8);
                call.GetProperty("id").WriteTo(writer);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WritePropertyName("name"u8);
                call.GetProperty("name").WriteTo(writer);
                writer.WriteString("arguments"u8, call.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null ? input.GetRawText() : "{}");
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        return true;
    }

    private static bool TryWriteStop(JsonElement root, Utf8JsonWriter writer, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (!root.TryGetProperty("stop_sequences", out var stops) || stops.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (stops.ValueKind != JsonValueKind.Array || stops.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            error = new RequestError("stop_sequences: Input should be a list of strings", "stop_sequences");
            return false;
        }

        if (stops.GetArrayLength() > 0)
        {
            writer.WritePropertyName("stop"u8);
            stops.WriteTo(writer);
        }

        return true;
    }

    private static bool TryWriteThinking(JsonElement root, Utf8JsonWriter writer, Translation context, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (!root.TryGetProperty("thinking", out var thinking) || thinking.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (thinking.ValueKind != JsonValueKind.Object || !thinking.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            error = new RequestError("thinking: Input should be an object with a 'type' (enabled, adaptive, disabled)", "thinking");
            return false;
        }

        switch (type.GetString())
        {
            case "enabled" or "adaptive":
                writer.WriteBoolean("enable_thinking"u8, true);
                if (thinking.TryGetProperty("budget_tokens", out var budget) && budget.ValueKind == JsonValueKind.Number && budget.TryGetInt64(out var tokens))
                {
                    writer.WriteNumber("thinking_budget"u8, tokens);
                }

                context.ShowThinking = !(thinking.TryGetProperty("display", out var display) && display.ValueEquals("omitted"u8));
                return true;
            case "disabled":
                writer.WriteBoolean("enable_thinking"u8, false);
                return true;
            case var other:
                error = new RequestError($"thinking.type: '{other}' is not one of enabled, adaptive, disabled", "thinking");
                return false;
        }
    }

    private static bool TryCopyNumber(JsonElement root, string name, ReadOnlySpan<byte> target, Utf8JsonWriter writer, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            error = new RequestError($"{name}: Input should be a valid number", name);
            return false;
        }

        writer.WritePropertyName(target);
        value.WriteTo(writer);
        return true;
    }

    private static bool TryGetText(JsonElement block, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (block.ValueKind == JsonValueKind.Object
            && block.TryGetProperty("type", out var type) && type.ValueEquals("text"u8)
            && block.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
        {
            text = value.GetString()!;
            return true;
        }

        return false;
    }

    private static bool TryGetImageUrl(JsonElement block, string where, [NotNullWhen(true)] out string? url, [NotNullWhen(false)] out RequestError? error)
    {
        url = null;
        error = null;
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object
            || !source.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            error = new RequestError($"{where}.source: Field required", "messages");
            return false;
        }

        if (type.ValueEquals("base64"u8)
            && source.TryGetProperty("media_type", out var mediaType) && mediaType.ValueKind == JsonValueKind.String
            && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
        {
            url = $"data:{mediaType.GetString()};base64,{data.GetString()}";
            return true;
        }

        if (type.ValueEquals("url"u8) && source.TryGetProperty("url", out var link) && link.ValueKind == JsonValueKind.String)
        {
            url = link.GetString()!;
            return true;
        }

        error = new RequestError($"{where}.source: an image source must be base64 (media_type, data) or url (url); file sources are not supported on this path", "messages");
        return false;
    }

    private static bool TryGetDocumentText(JsonElement block, string where, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out RequestError? error)
    {
        text = null;
        error = null;
        if (block.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object
            && source.TryGetProperty("type", out var type) && type.ValueEquals("text"u8)
            && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
        {
            text = data.GetString()!;
            return true;
        }

        error = new RequestError($"{where}.source: only documents with a plain-text source can be sent on this path", "messages");
        return false;
    }

    private static void WriteTextMessage(Utf8JsonWriter writer, ReadOnlySpan<byte> role, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("role"u8, role);
        writer.WriteString("content"u8, text);
        writer.WriteEndObject();
    }

    private static void WriteUserParts(Utf8JsonWriter writer, List<Part> parts)
    {
        if (parts.TrueForAll(p => p.IsText))
        {
            WriteTextMessage(writer, "user"u8, string.Join("\n\n", parts.Select(p => p.Value)));
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role"u8, "user"u8);
        writer.WriteStartArray("content"u8);
        foreach (var part in parts)
        {
            writer.WriteStartObject();
            if (part.IsText)
            {
                writer.WriteString("type"u8, "text"u8);
                writer.WriteString("text"u8, part.Value);
            }
            else
            {
                writer.WriteString("type"u8, "image_url"u8);
                writer.WriteStartObject("image_url"u8);
                writer.WriteString("url"u8, part.Value);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private readonly record struct Part(bool IsText, string Value)
    {
        public static Part Text(string text) => new(true, text);

        public static Part Image(string url) => new(false, url);
    }

    private sealed class Translation
    {
        public Func<string, string>? UpstreamModel { get; init; }

        public string? Model { get; set; }

        public bool Stream { get; set; }

        public bool ShowThinking { get; set; }

        public int Images { get; private set; }

        public long ImageBytes { get; private set; }

        public void CountImage(string url)
        {
            Images++;
            ImageBytes += url.Length;
        }
    }
}
