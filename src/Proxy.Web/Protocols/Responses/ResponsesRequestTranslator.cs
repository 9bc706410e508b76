using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Proxy.Web.Requests;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// A Responses API request (<c>POST /v1/responses</c>) as a chat completions request, in pure code:
/// bytes in, bytes out, read with <see cref="Utf8JsonReader"/> (values the chat body keeps are copied
/// as the client encoded them). Only what the table maps reaches the upstream; the rest is dropped,
/// so a field a chat upstream does not know can never break it.
/// <list type="table">
/// <listheader><term>Responses</term><description>chat completions</description></listheader>
/// <item><term><c>model</c></term><description><c>model</c> (then the proxy's model mapping)</description></item>
/// <item><term><c>instructions</c>, <c>system</c>/<c>developer</c> messages</term><description>one leading <c>system</c> message, texts joined by a blank line (Qwen's templates take one system message, first)</description></item>
/// <item><term><c>input</c> string</term><description>one <c>user</c> message</description></item>
/// <item><term><c>message</c> items</term><description><c>user</c> content keeps its parts (<c>input_text</c> → <c>text</c>, <c>input_image</c> → <c>image_url</c>); <c>assistant</c> content becomes its text</description></item>
/// <item><term><c>function_call</c> items</term><description><c>tool_calls</c> of one <c>assistant</c> message (with the assistant text just before them)</description></item>
/// <item><term><c>function_call_output</c> items</term><description><c>tool</c> messages</description></item>
/// <item><term><c>reasoning</c> items, other built-in tool call items</term><description>dropped (a chat upstream has no form for them)</description></item>
/// <item><term><c>item_reference</c>, <c>input_file</c>, <c>input_audio</c>, <c>file_id</c> images</term><description>400: they need stored objects</description></item>
/// <item><term><c>tools</c></term><description><c>function</c> tools → chat tools; <c>namespace</c>, built-in (<c>web_search</c>, <c>file_search</c>, …), <c>custom</c> and unknown tool types dropped</description></item>
/// <item><term><c>tool_choice</c></term><description><c>auto</c>/<c>none</c>/<c>required</c> as sent, <c>{"type":"function","name"}</c> → chat form; other forms dropped; dropped with the tools when none remain</description></item>
/// <item><term><c>parallel_tool_calls</c>, <c>temperature</c>, <c>top_p</c></term><description>as sent (<c>parallel_tool_calls</c> only with tools)</description></item>
/// <item><term><c>max_output_tokens</c></term><description><c>max_tokens</c></description></item>
/// <item><term><c>reasoning.effort</c></term><description><c>none</c> → <c>enable_thinking:false</c>; <c>minimal</c>/<c>low</c>/<c>medium</c>/<c>high</c>/<c>xhigh</c> → <c>enable_thinking:true</c>, and <c>reasoning_effort</c> for <c>low</c>/<c>medium</c>/<c>high</c>; <c>reasoning.summary</c> dropped</description></item>
/// <item><term><c>text.format</c></term><description><c>json_schema</c> → <c>response_format</c> <c>json_schema</c>; <c>json_object</c> → <c>json_object</c>; <c>text</c> and <c>text.verbosity</c> dropped</description></item>
/// <item><term><c>stream</c></term><description><c>stream</c>, with <c>stream_options.include_usage</c> (for the usage of <c>response.completed</c>)</description></item>
/// <item><term><c>store: false</c></term><description>accepted (nothing is stored)</description></item>
/// <item><term><c>store: true</c>, <c>previous_response_id</c>, <c>conversation</c>, <c>background: true</c></term><description>400: this path keeps no responses</description></item>
/// <item><term><c>include</c>, <c>stream_options</c>, <c>prompt_cache_key</c>, <c>prompt_cache_retention</c>, <c>client_metadata</c>, <c>metadata</c>, <c>user</c>, <c>safety_identifier</c>, <c>truncation</c>, <c>service_tier</c>, <c>max_tool_calls</c>, <c>top_logprobs</c>, <c>prompt</c>, anything else</term><description>dropped (echoed in the Response object where OpenAI echoes them)</description></item>
/// </list>
/// </summary>
internal static class ResponsesRequestTranslator
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256 };

    public static bool TryTranslate(ReadOnlySpan<byte> body, [NotNullWhen(true)] out ResponsesRequest? request, [NotNullWhen(false)] out RequestError? error)
    {
        request = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = new RequestError("The request body is empty; send a JSON object with 'model' and 'input'.");
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            error = new RequestError("The request body is not valid UTF-8.");
            return false;
        }

        try
        {
            if (!TryScan(body, out var fields, out error))
            {
                return false;
            }

            var output = new ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(output, WriterOptions))
            {
                if (!TryWriteChat(writer, body, fields, out error))
                {
                    return false;
                }
            }

            request = new ResponsesRequest(output.WrittenSpan.ToArray(), fields.Stream, Echo(body, fields));
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

    private static bool TryScan(ReadOnlySpan<byte> body, out Fields fields, [NotNullWhen(false)] out RequestError? error)
    {
        fields = default;
        error = null;
        var reader = new Utf8JsonReader(body, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = new RequestError("The request body must be a JSON object.");
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var token = reader.TokenType;
            reader.Skip();
            var range = new Range(start, (int)reader.BytesConsumed);
            switch (name)
            {
                case "model":
                    if (token != JsonTokenType.String)
                    {
                        error = new RequestError("'model' must be a string.", "model");
                        return false;
                    }

                    fields.Model = range;
                    break;
                case "input":
                    if (token is not (JsonTokenType.String or JsonTokenType.StartArray))
                    {
                        error = new RequestError("'input' must be a string or an array of input items.", "input");
                        return false;
                    }

                    fields.Input = range;
                    break;
                case "instructions":
                    if (token is not (JsonTokenType.String or JsonTokenType.StartArray or JsonTokenType.Null))
                    {
                        error = new RequestError("'instructions' must be a string.", "instructions");
                        return false;
                    }

                    fields.Instructions = token == JsonTokenType.Null ? default : range;
                    break;
                case "stream":
                    if (token is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                    {
                        error = new RequestError("'stream' must be a boolean.", "stream");
                        return false;
                    }

                    fields.Stream = token == JsonTokenType.True;
                    break;
                case "store":
                    if (token == JsonTokenType.True)
                    {
                        error = new RequestError("'store: true' is not supported: this proxy keeps no responses. Send 'store: false'.", "store");
                        return false;
                    }

                    if (token is not (JsonTokenType.False or JsonTokenType.Null))
                    {
                        error = new RequestError("'store' must be a boolean.", "store");
                        return false;
                    }

                    break;
                case "previous_response_id":
                    if (token != JsonTokenType.Null)
                    {
                        error = new RequestError("'previous_response_id' is not supported: this proxy keeps no responses. Send the whole conversation in 'input'.", "previous_response_id");
                        return false;
                    }

                    break;
                case "conversation":
                    if (token != JsonTokenType.Null)
                    {
                        error = new RequestError("'conversation' is not supported: this proxy keeps no conversations. Send the whole conversation in 'input'.", "conversation");
                        return false;
                    }

                    break;
                case "background":
                    if (token == JsonTokenType.True)
                    {
                        error = new RequestError("'background: true' is not supported: this proxy keeps no responses to poll.", "background");
                        return false;
                    }

                    break;
                case "tools":
                    fields.Tools = NonNull(token, range);
                    break;
                case "tool_choice":
                    fields.ToolChoice = NonNull(token, range);
                    break;
                case "parallel_tool_calls":
                    fields.ParallelToolCalls = NonNull(token, range);
                    break;
                case "max_output_tokens":
                    fields.MaxOutputTokens = NonNull(token, range);
                    break;
                case "temperature":
                    fields.Temperature = NonNull(token, range);
                    break;
                case "top_p":
                    fields.TopP = NonNull(token, range);
                    break;
                case "reasoning":
                    fields.Reasoning = NonNull(token, range);
                    break;
                case "text":
                    fields.Text = NonNull(token, range);
                    break;
                case "truncation":
                    fields.Truncation = NonNull(token, range);
                    break;
                case "user":
                    fields.User = NonNull(token, range);
                    break;
                case "metadata":
                    fields.Metadata = NonNull(token, range);
                    break;
            }
        }

        if (reader.Read())
        {
            error = new RequestError("The request body must be a single JSON object.");
            return false;
        }

        if (fields.Input.End.Value == 0)
        {
            error = new RequestError("'input' is required.", "input");
            return false;
        }

        return true;
    }

    private static bool TryWriteChat(Utf8JsonWriter writer, ReadOnlySpan<byte> body, in Fields fields, [NotNullWhen(false)] out RequestError? error)
    {
        writer.WriteStartObject();
        if (Has(fields.Model))
        {
            writer.WritePropertyName("model"u8);
            writer.WriteRawValue(body[fields.Model], skipInputValidation: true);
        }

        if (!TryWriteMessages(writer, body, fields, out error))
        {
            return false;
        }

        var hasTools = Has(fields.Tools) && WriteTools(writer, body[fields.Tools]);
        if (hasTools && Has(fields.ToolChoice))
        {
            WriteToolChoice(writer, body[fields.ToolChoice]);
        }

        if (hasTools && Has(fields.ParallelToolCalls))
        {
            writer.WritePropertyName("parallel_tool_calls"u8);
            writer.WriteRawValue(body[fields.ParallelToolCalls], skipInputValidation: true);
        }

        CopyAs(writer, body, fields.MaxOutputTokens, "max_tokens"u8);
        CopyAs(writer, body, fields.Temperature, "temperature"u8);
        CopyAs(writer, body, fields.TopP, "top_p"u8);
        if (Has(fields.Reasoning))
        {
            WriteReasoning(writer, body[fields.Reasoning]);
        }

        if (Has(fields.Text))
        {
            WriteResponseFormat(writer, body[fields.Text]);
        }

        if (fields.Stream)
        {
            writer.WriteBoolean("stream"u8, true);
            writer.WriteStartObject("stream_options"u8);
            writer.WriteBoolean("include_usage"u8, true);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        return true;
    }

    private static bool TryWriteMessages(Utf8JsonWriter writer, ReadOnlySpan<byte> body, in Fields fields, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var system = new StringBuilder();
        var items = new List<InputItem>();
        if (Has(fields.Instructions))
        {
            var instructions = body[fields.Instructions];
            if (instructions[0] == (byte)'"')
            {
                Append(system, Decode(instructions));
            }
            else if (!TryReadItems(body, fields.Instructions, items, "instructions", out error))
            {
                return false;
            }
        }

        var input = body[fields.Input];
        var inputIsString = input[0] == (byte)'"';
        if (!inputIsString && !TryReadItems(body, fields.Input, items, "input", out error))
        {
            return false;
        }

        foreach (var item in items)
        {
            if (item.Kind == ItemKind.System)
            {
                if (!TryJoinText(body[item.Content], $"{item.Path}.content", out var text, out error))
                {
                    return false;
                }

                Append(system, text);
            }
        }

        writer.WriteStartArray("messages"u8);
        if (system.Length > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, "system"u8);
            writer.WriteString("content"u8, system.ToString());
            writer.WriteEndObject();
        }

        if (inputIsString)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, "user"u8);
            writer.WritePropertyName("content"u8);
            writer.WriteRawValue(input, skipInputValidation: true);
            writer.WriteEndObject();
        }

        string? assistantText = null;
        var calls = new List<InputItem>();
        var pending = false;
        foreach (var item in items)
        {
            if (item.Kind == ItemKind.FunctionCall)
            {
                calls.Add(item);
                pending = true;
                continue;
            }

            if (item.Kind == ItemKind.System)
            {
                continue;
            }

            if (pending)
            {
                WriteAssistant(writer, body, assistantText, calls);
                assistantText = null;
                calls.Clear();
                pending = false;
            }

            switch (item.Kind)
            {
                case ItemKind.User:
                    writer.WriteStartObject();
                    writer.WriteString("role"u8, "user"u8);
                    writer.WritePropertyName("content"u8);
                    if (!TryWriteUserContent(writer, body[item.Content], $"{item.Path}.content", out error))
                    {
                        return false;
                    }

                    writer.WriteEndObject();
                    break;
                case ItemKind.Assistant:
                    if (!TryJoinText(body[item.Content], $"{item.Path}.content", out assistantText, out error))
                    {
                        return false;
                    }

                    pending = true;
                    break;
                case ItemKind.FunctionCallOutput:
                    writer.WriteStartObject();
                    writer.WriteString("role"u8, "tool"u8);
                    writer.WritePropertyName("tool_call_id"u8);
                    writer.WriteRawValue(body[item.CallId], skipInputValidation: true);
                    var output = body[item.Output];
                    if (output[0] == (byte)'"')
                    {
                        writer.WritePropertyName("content"u8);
                        writer.WriteRawValue(output, skipInputValidation: true);
                    }
                    else
                    {
                        if (!TryJoinText(output, $"{item.Path}.output", out var text, out error))
                        {
                            return false;
                        }

                        writer.WriteString("content"u8, text);
                    }

                    writer.WriteEndObject();
                    break;
            }
        }

        if (pending)
        {
            WriteAssistant(writer, body, assistantText, calls);
        }

        writer.WriteEndArray();
        return true;
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ReadOnlySpan<byte> body, string? text, List<InputItem> calls)
    {
        writer.WriteStartObject();
        writer.WriteString("role"u8, "assistant"u8);
        if (text is null)
        {
            writer.WriteNull("content"u8);
        }
        else
        {
            writer.WriteString("content"u8, text);
        }

        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls"u8);
            foreach (var call in calls)
            {
                writer.WriteStartObject();
                writer.WritePropertyName("id"u8);
                writer.WriteRawValue(body[call.CallId], skipInputValidation: true);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WritePropertyName("name"u8);
                writer.WriteRawValue(body[call.Name], skipInputValidation: true);
                writer.WritePropertyName("arguments"u8);
                if (Has(call.Arguments))
                {
                    writer.WriteRawValue(body[call.Arguments], skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue("{}"u8);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static bool TryReadItems(ReadOnlySpan<byte> body, Range range, List<InputItem> items, string field, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var offset = range.Start.Value;
        var reader = new Utf8JsonReader(body[range], ReaderOptions);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var path = $"{field}[{position++}]";
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = new RequestError($"'{path}' must be an object.", field);
                return false;
            }

            var item = new InputItem { Path = path };
            string? type = null, role = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = Name(ref reader);
                reader.Read();
                var start = offset + (int)reader.TokenStartIndex;
                var token = reader.TokenType;
                var text = token == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                var value = new Range(start, offset + (int)reader.BytesConsumed);
                switch (name)
                {
                    case "type":
                        type = text;
                        break;
                    case "role":
                        role = text;
                        break;
                    case "content":
                        item.Content = token is JsonTokenType.String or JsonTokenType.StartArray ? value : default;
                        break;
                    case "call_id":
                        item.CallId = token == JsonTokenType.String ? value : default;
                        break;
                    case "name":
                        item.Name = token == JsonTokenType.String ? value : default;
                        break;
                    case "arguments":
                        item.Arguments = token == JsonTokenType.String ? value : default;
                        break;
                    case "output":
                        item.Output = token is JsonTokenType.String or JsonTokenType.StartArray ? value : default;
                        break;
                }
            }

            if (!TryClassify(ref item, type, role, out error))
            {
                return false;
            }

            if (item.Kind != ItemKind.Dropped)
            {
                items.Add(item);
            }
        }

        return true;
    }

    private static bool TryClassify(ref InputItem item, string? type, string? role, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var path = item.Path;
        switch (type)
        {
            case "message":
            case null when role is not null:
                if (!Has(item.Content))
                {
                    error = new RequestError($"'{path}.content' must be a string or an array of content parts.", "input");
                    return false;
                }

                item.Kind = role switch
                {
                    "user" => ItemKind.User,
                    "assistant" => ItemKind.Assistant,
                    "system" or "developer" => ItemKind.System,
                    _ => ItemKind.Dropped,
                };
                if (item.Kind == ItemKind.Dropped)
                {
                    error = new RequestError($"'{path}.role' must be 'user', 'assistant', 'system' or 'developer'.", "input");
                    return false;
                }

                return true;
            case "function_call":
                if (!Has(item.CallId) || !Has(item.Name))
                {
                    error = new RequestError($"'{path}' (function_call) needs 'call_id' and 'name'.", "input");
                    return false;
                }

                item.Kind = ItemKind.FunctionCall;
                return true;
            case "function_call_output":
                if (!Has(item.CallId) || !Has(item.Output))
                {
                    error = new RequestError($"'{path}' (function_call_output) needs 'call_id' and 'output'.", "input");
                    return false;
                }

                item.Kind = ItemKind.FunctionCallOutput;
                return true;
            case "item_reference":
                error = new RequestError($"'{path}': item references need stored responses, which this proxy does not keep; send the items themselves.", "input");
                return false;
            case null:
                error = new RequestError($"'{path}' needs a 'type' (or a 'role' for a message).", "input");
                return false;
            default:
                // reasoning items and the calls and outputs of built-in tools have no chat form.
                item.Kind = ItemKind.Dropped;
                return true;
        }
    }

    private static bool TryWriteUserContent(Utf8JsonWriter writer, ReadOnlySpan<byte> content, string path, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (content[0] == (byte)'"')
        {
            writer.WriteRawValue(content, skipInputValidation: true);
            return true;
        }

        writer.WriteStartArray();
        var reader = new Utf8JsonReader(content, ReaderOptions);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var partPath = $"{path}[{position++}]";
            var part = ReadPart(content, ref reader);
            switch (part.Type)
            {
                case "input_text" or "output_text" or "text" when Has(part.Text):
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "text"u8);
                    writer.WritePropertyName("text"u8);
                    writer.WriteRawValue(content[part.Text], skipInputValidation: true);
                    writer.WriteEndObject();
                    break;
                case "input_image" when Has(part.ImageUrl):
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "image_url"u8);
                    writer.WriteStartObject("image_url"u8);
                    writer.WritePropertyName("url"u8);
                    writer.WriteRawValue(content[part.ImageUrl], skipInputValidation: true);
                    if (Has(part.Detail))
                    {
                        writer.WritePropertyName("detail"u8);
                        writer.WriteRawValue(content[part.Detail], skipInputValidation: true);
                    }

                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    break;
                case "input_image":
                    error = new RequestError($"'{partPath}': an input_image needs an 'image_url' (a URL or a data URL); 'file_id' needs stored files, which this proxy does not keep.", "input");
                    return false;
                default:
                    error = new RequestError($"'{partPath}': content of type '{part.Type}' is not supported; send input_text or input_image parts.", "input");
                    return false;
            }
        }

        writer.WriteEndArray();
        return true;
    }

    /// <summary>The text of a content string, or of an array's text parts joined as they are.</summary>
    private static bool TryJoinText(ReadOnlySpan<byte> content, string path, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        if (content[0] == (byte)'"')
        {
            text = Decode(content);
            return true;
        }

        text = null;
        var joined = new StringBuilder();
        var reader = new Utf8JsonReader(content, ReaderOptions);
        reader.Read();
        var position = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var partPath = $"{path}[{position++}]";
            var part = ReadPart(content, ref reader);
            if (part.Type is "input_text" or "output_text" or "text" or "summary_text" or "reasoning_text" && Has(part.Text))
            {
                joined.Append(Decode(content[part.Text]));
            }
            else if (part.Type == "refusal" && Has(part.Refusal))
            {
                joined.Append(Decode(content[part.Refusal]));
            }
            else
            {
                error = new RequestError($"'{partPath}': content of type '{part.Type}' is not supported here; only text reaches a chat upstream in this place.", "input");
                return false;
            }
        }

        text = joined.ToString();
        return true;
    }

    private static Part ReadPart(ReadOnlySpan<byte> content, ref Utf8JsonReader reader)
    {
        var part = default(Part);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            part.Type = "(not an object)";
            return part;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = Name(ref reader);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var isString = reader.TokenType == JsonTokenType.String;
            var text = isString && name == "type" ? reader.GetString() : null;
            reader.Skip();
            var value = isString ? new Range(start, (int)reader.BytesConsumed) : default;
            switch (name)
            {
                case "type":
                    part.Type = text;
                    break;
                case "text":
                    part.Text = value;
                    break;
                case "refusal":
                    part.Refusal = value;
                    break;
                case "image_url":
                    part.ImageUrl = value;
                    break;
                case "detail":
                    part.Detail = value;
                    break;
            }
        }

        part.Type ??= "(none)";
        return part;
    }

    private static bool WriteTools(Utf8JsonWriter writer, ReadOnlySpan<byte> tools)
    {
        if (tools[0] != (byte)'[')
        {
            return false;
        }

        var written = false;
        var reader = new Utf8JsonReader(tools, ReaderOptions);
        reader.Read();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            string? type = null;
            Range name = default, description = default, parameters = default, strict = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = Name(ref reader);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var token = reader.TokenType;
                var text = property == "type" && token == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
                var value = token == JsonTokenType.Null ? default : new Range(start, (int)reader.BytesConsumed);
                switch (property)
                {
                    case "type":
                        type = text;
                        break;
                    case "name":
                        name = token == JsonTokenType.String ? value : default;
                        break;
                    case "description":
                        description = value;
                        break;
                    case "parameters":
                        parameters = value;
                        break;
                    case "strict":
                        strict = value;
                        break;
                }
            }

            // Only function tools run on a chat upstream; namespace, built-in, custom and unknown tools are dropped.
            if (type != "function" || !Has(name))
            {
                continue;
            }

            if (!written)
            {
                writer.WriteStartArray("tools"u8);
                written = true;
            }

            writer.WriteStartObject();
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            writer.WritePropertyName("name"u8);
            writer.WriteRawValue(tools[name], skipInputValidation: true);
            CopyAs(writer, tools, description, "description"u8);
            CopyAs(writer, tools, parameters, "parameters"u8);
            CopyAs(writer, tools, strict, "strict"u8);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        if (written)
        {
            writer.WriteEndArray();
        }

        return written;
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ReadOnlySpan<byte> choice)
    {
        var reader = new Utf8JsonReader(choice, ReaderOptions);
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("auto"u8) || reader.ValueTextEquals("none"u8) || reader.ValueTextEquals("required"u8))
            {
                writer.WritePropertyName("tool_choice"u8);
                writer.WriteRawValue(choice, skipInputValidation: true);
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        string? type = null;
        Range name = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = Name(ref reader);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var isString = reader.TokenType == JsonTokenType.String;
            var text = isString && property == "type" ? reader.GetString() : null;
            reader.Skip();
            if (property == "type")
            {
                type = text;
            }
            else if (property == "name" && isString)
            {
                name = new Range(start, (int)reader.BytesConsumed);
            }
        }

        // A named function is the one form a chat upstream has; hosted-tool and allowed_tools choices are dropped.
        if (type == "function" && Has(name))
        {
            writer.WriteStartObject("tool_choice"u8);
            writer.WriteString("type"u8, "function"u8);
            writer.WriteStartObject("function"u8);
            writer.WritePropertyName("name"u8);
            writer.WriteRawValue(choice[name], skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static void WriteReasoning(Utf8JsonWriter writer, ReadOnlySpan<byte> reasoning)
    {
        var reader = new Utf8JsonReader(reasoning, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        string? effort = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isEffort = reader.ValueTextEquals("effort"u8);
            reader.Read();
            if (isEffort && reader.TokenType == JsonTokenType.String)
            {
                effort = reader.GetString();
            }

            reader.Skip();
        }

        switch (effort)
        {
            case "none":
                writer.WriteBoolean("enable_thinking"u8, false);
                break;
            case "low" or "medium" or "high":
                writer.WriteBoolean("enable_thinking"u8, true);
                writer.WriteString("reasoning_effort"u8, effort);
                break;
            case "minimal" or "xhigh":
                writer.WriteBoolean("enable_thinking"u8, true);
                break;
        }
    }

    private static void WriteResponseFormat(Utf8JsonWriter writer, ReadOnlySpan<byte> text)
    {
        var reader = new Utf8JsonReader(text, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        Range format = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFormat = reader.ValueTextEquals("format"u8);
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            var isObject = reader.TokenType == JsonTokenType.StartObject;
            reader.Skip();
            if (isFormat && isObject)
            {
                format = new Range(start, (int)reader.BytesConsumed);
            }
        }

        if (!Has(format))
        {
            return;
        }

        var body = text[format];
        var inner = new Utf8JsonReader(body, ReaderOptions);
        inner.Read();
        string? type = null;
        Range name = default, schema = default, strict = default, description = default;
        while (inner.Read() && inner.TokenType == JsonTokenType.PropertyName)
        {
            var property = Name(ref inner);
            inner.Read();
            var start = (int)inner.TokenStartIndex;
            var token = inner.TokenType;
            var value = token == JsonTokenType.String && property == "type" ? inner.GetString() : null;
            inner.Skip();
            var range = token == JsonTokenType.Null ? default : new Range(start, (int)inner.BytesConsumed);
            switch (property)
            {
                case "type":
                    type = value;
                    break;
                case "name":
                    name = range;
                    break;
                case "schema":
                    schema = range;
                    break;
                case "strict":
                    strict = range;
                    break;
                case "description":
                    description = range;
                    break;
            }
        }

        if (type == "json_object")
        {
            writer.WriteStartObject("response_format"u8);
            writer.WriteString("type"u8, "json_object"u8);
            writer.WriteEndObject();
        }
        else if (type == "json_schema")
        {
            writer.WriteStartObject("response_format"u8);
            writer.WriteString("type"u8, "json_schema"u8);
            writer.WriteStartObject("json_schema"u8);
            CopyAs(writer, body, name, "name"u8);
            CopyAs(writer, body, description, "description"u8);
            CopyAs(writer, body, schema, "schema"u8);
            CopyAs(writer, body, strict, "strict"u8);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    private static ResponsesEcho Echo(ReadOnlySpan<byte> body, in Fields fields)
    {
        var head = new ArrayBufferWriter<byte>(64);
        Member(head, "\"instructions\":"u8, body, fields.Instructions, "null"u8);
        Member(head, ",\"max_output_tokens\":"u8, body, fields.MaxOutputTokens, "null"u8);

        var tail = new ArrayBufferWriter<byte>(256);
        Member(tail, "\"parallel_tool_calls\":"u8, body, fields.ParallelToolCalls, "true"u8);
        Utf8Output.Write(tail, ",\"previous_response_id\":null"u8);
        Member(tail, ",\"reasoning\":"u8, body, fields.Reasoning, "null"u8);
        Utf8Output.Write(tail, ",\"store\":false"u8);
        Member(tail, ",\"temperature\":"u8, body, fields.Temperature, "null"u8);
        Member(tail, ",\"text\":"u8, body, fields.Text, "{\"format\":{\"type\":\"text\"}}"u8);
        Member(tail, ",\"tool_choice\":"u8, body, fields.ToolChoice, "\"auto\""u8);
        Member(tail, ",\"tools\":"u8, body, fields.Tools, "[]"u8);
        Member(tail, ",\"top_p\":"u8, body, fields.TopP, "null"u8);
        Member(tail, ",\"truncation\":"u8, body, fields.Truncation, "\"disabled\""u8);

        var end = new ArrayBufferWriter<byte>(32);
        Member(end, "\"user\":"u8, body, fields.User, "null"u8);
        Member(end, ",\"metadata\":"u8, body, fields.Metadata, "{}"u8);

        var model = Has(fields.Model) ? body[fields.Model][1..^1].ToArray() : null;
        return new ResponsesEcho(head.WrittenSpan.ToArray(), model, tail.WrittenSpan.ToArray(), end.WrittenSpan.ToArray());
    }

    private static void Member(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> body, Range value, ReadOnlySpan<byte> fallback)
    {
        Utf8Output.Write(output, name);
        Utf8Output.Write(output, Has(value) ? body[value] : fallback);
    }

    private static void CopyAs(Utf8JsonWriter writer, ReadOnlySpan<byte> body, Range value, ReadOnlySpan<byte> name)
    {
        if (Has(value))
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(body[value], skipInputValidation: true);
        }
    }

    private static void Append(StringBuilder system, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (system.Length > 0)
        {
            system.Append("\n\n");
        }

        system.Append(text);
    }

    private static string Decode(ReadOnlySpan<byte> jsonString)
    {
        var reader = new Utf8JsonReader(jsonString);
        reader.Read();
        return reader.GetString()!;
    }

    private static string Name(ref Utf8JsonReader reader) => reader.GetString()!;

    private static Range NonNull(JsonTokenType token, Range range) => token == JsonTokenType.Null ? default : range;

    private static bool Has(Range range) => range.End.Value > range.Start.Value;

    private enum ItemKind
    {
        Dropped,
        User,
        Assistant,
        System,
        FunctionCall,
        FunctionCallOutput,
    }

    /// <summary>Where the request's members are (ranges into the body; empty when absent or null).</summary>
    private struct Fields
    {
        public Range Model;
        public Range Input;
        public Range Instructions;
        public Range Tools;
        public Range ToolChoice;
        public Range ParallelToolCalls;
        public Range MaxOutputTokens;
        public Range Temperature;
        public Range TopP;
        public Range Reasoning;
        public Range Text;
        public Range Truncation;
        public Range User;
        public Range Metadata;
        public bool Stream;
    }

    /// <summary>One input item: its kind and where its members are in the body.</summary>
    private struct InputItem
    {
        public string Path;
        public ItemKind Kind;
        public Range Content;
        public Range CallId;
        public Range Name;
        public Range Arguments;
        public Range Output;
    }

    /// <summary>One content part: its type and where its members are in the content.</summary>
    private struct Part
    {
        public string? Type;
        public Range Text;
        public Range Refusal;
        public Range ImageUrl;
        public Range Detail;
    }
}
