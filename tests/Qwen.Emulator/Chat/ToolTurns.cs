using System.Text.Json;

namespace Qwen.Emulator.Chat;

/// <summary>
/// Whether a request's conversation ends with a tool result: a chat <c>tool</c> message, a Responses
/// <c>function_call_output</c>, or an Anthropic user message holding a <c>tool_result</c> block.
/// </summary>
internal static class ToolTurns
{
    public static bool EndsWithToolResult(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0)
            {
                var last = messages[messages.GetArrayLength() - 1];
                if (last.TryGetProperty("role", out var role) && role.ValueEquals("tool"))
                {
                    return true;
                }

                return last.TryGetProperty("content", out var content)
                    && content.ValueKind == JsonValueKind.Array
                    && content.EnumerateArray().Any(block => block.TryGetProperty("type", out var type) && type.ValueEquals("tool_result"));
            }

            if (root.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
            {
                var last = input[input.GetArrayLength() - 1];
                return last.TryGetProperty("type", out var type) && type.ValueEquals("function_call_output");
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
