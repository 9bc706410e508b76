using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Proxy.Web.Requests;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// A Messages request's <c>tools</c> and <c>tool_choice</c> as chat completions'. Custom tools
/// (no <c>type</c>, or <c>custom</c>) become function tools with <c>input_schema</c> as
/// <c>parameters</c>; server tools (any other <c>type</c>: <c>web_search_*</c>, <c>bash_*</c>,
/// <c>text_editor_*</c>, <c>computer_*</c>, ...) run at Anthropic and are dropped. <c>tool_choice</c>
/// auto, any, tool and none become <c>auto</c>, <c>required</c>, the named function and <c>none</c>;
/// <c>disable_parallel_tool_use: true</c> becomes <c>parallel_tool_calls: false</c>. Without a
/// remaining tool, no tool choice is sent (a named one still is).
/// </summary>
internal static class AnthropicTools
{
    public static bool TryWrite(JsonElement root, Utf8JsonWriter writer, [NotNullWhen(false)] out RequestError? error)
    {
        error = null;
        var written = 0;
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null)
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                error = new RequestError("tools: Input should be a valid list", "tools");
                return false;
            }

            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var where = $"tools.{index++}";
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    error = new RequestError($"{where}: Input should be a tool object", "tools");
                    return false;
                }

                // Server tools (web search, bash, text editor, computer use, ...) run at Anthropic; a chat upstream cannot run them.
                if (tool.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && !type.ValueEquals("custom"u8))
                {
                    continue;
                }

                if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    error = new RequestError($"{where}.name: Field required", "tools");
                    return false;
                }

                if (written++ == 0)
                {
                    writer.WriteStartArray("tools"u8);
                }

                writer.WriteStartObject();
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WritePropertyName("name"u8);
                name.WriteTo(writer);
                if (tool.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    writer.WritePropertyName("description"u8);
                    description.WriteTo(writer);
                }

                writer.WritePropertyName("parameters"u8);
                if (tool.TryGetProperty("input_schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
                {
                    schema.WriteTo(writer);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("type"u8, "object"u8);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            if (written > 0)
            {
                writer.WriteEndArray();
            }
        }

        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("type", out var choiceType) || choiceType.ValueKind != JsonValueKind.String)
        {
            error = new RequestError("tool_choice: Input should be an object with a 'type' (auto, any, tool, none)", "tool_choice");
            return false;
        }

        if (choice.TryGetProperty("disable_parallel_tool_use", out var serial) && serial.ValueKind == JsonValueKind.True && written > 0)
        {
            writer.WriteBoolean("parallel_tool_calls"u8, false);
        }

        switch (choiceType.GetString())
        {
            case "auto":
                if (written > 0)
                {
                    writer.WriteString("tool_choice"u8, "auto"u8);
                }

                return true;
            case "any":
                if (written > 0)
                {
                    writer.WriteString("tool_choice"u8, "required"u8);
                }

                return true;
            case "none":
                if (written > 0)
                {
                    writer.WriteString("tool_choice"u8, "none"u8);
                }

                return true;
            case "tool":
                if (!choice.TryGetProperty("name", out var toolName) || toolName.ValueKind != JsonValueKind.String)
                {
                    error = new RequestError("tool_choice.name: Field required", "tool_choice");
                    return false;
                }

                writer.WriteStartObject("tool_choice"u8);
                writer.WriteString("type"u8, "function"u8);
                writer.WriteStartObject("function"u8);
                writer.WritePropertyName("name"u8);
                toolName.WriteTo(writer);
                writer.WriteEndObject();
                writer.WriteEndObject();
                return true;
            case var other:
                error = new RequestError($"tool_choice.type: '{other}' is not one of auto, any, tool, none", "tool_choice");
                return false;
        }
    }
}
