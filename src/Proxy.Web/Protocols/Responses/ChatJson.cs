using System.Text.Json;

namespace Proxy.Web.Protocols.Responses;

/// <summary>Small readers of chat completion JSON shared by the whole-answer and the stream translation.</summary>
internal static class ChatJson
{
    /// <summary>
    /// Reads the value at the reader (just after a property name) and returns where it is; an empty
    /// range for <c>null</c>. The reader ends on the value's last token.
    /// </summary>
    public static Range Value(ref Utf8JsonReader reader, out JsonTokenType token)
    {
        reader.Read();
        token = reader.TokenType;
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return token == JsonTokenType.Null ? default : new Range(start, (int)reader.BytesConsumed);
    }

    public static bool Has(Range range) => range.End.Value > range.Start.Value;

    /// <summary>
    /// Where a chat completion's (or chunk's) <c>choices</c>, <c>usage</c>, <c>model</c> and <c>error</c>
    /// are, in one reader pass over the top-level object. False when it is not a JSON object.
    /// </summary>
    public static bool TryScanTop(ReadOnlySpan<byte> json, out TopLevel top)
    {
        top = default;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    top.Choices = Value(ref reader, out _);
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    top.Usage = Value(ref reader, out _);
                }
                else if (reader.ValueTextEquals("model"u8))
                {
                    top.Model = Value(ref reader, out _);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    top.Error = Value(ref reader, out _);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The top-level values of a chat completion or chunk that the translation reads (empty ranges when absent).</summary>
    public struct TopLevel
    {
        public Range Choices;
        public Range Usage;
        public Range Model;
        public Range Error;
    }

    /// <summary>
    /// Where a chat <c>message</c>'s (or a chunk's <c>delta</c>'s) <c>content</c>, <c>reasoning_content</c>
    /// and <c>tool_calls</c> are; empty ranges when absent, or when it is not an object.
    /// </summary>
    public static MessageParts ReadMessage(ReadOnlySpan<byte> message)
    {
        var parts = default(MessageParts);
        var reader = new Utf8JsonReader(message);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return parts;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                parts.Content = Value(ref reader, out _);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                parts.Reasoning = Value(ref reader, out _);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                parts.ToolCalls = Value(ref reader, out _);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return parts;
    }

    /// <summary>The parts of a chat message or delta that the translation reads (see <see cref="ReadMessage"/>).</summary>
    public struct MessageParts
    {
        public Range Content;
        public Range Reasoning;
        public Range ToolCalls;
    }

    /// <summary>The escaped body of a JSON string value (without its quotes).</summary>
    public static ReadOnlySpan<byte> StringBody(ReadOnlySpan<byte> json, Range range) =>
        Has(range) && json[range.Start] == (byte)'"' ? json[range][1..^1] : default;

    /// <summary>A chat <c>usage</c> object (at <paramref name="range"/>) into <paramref name="usage"/>.</summary>
    public static void ReadUsage(ReadOnlySpan<byte> json, Range range, ref ResponseUsage usage)
    {
        var reader = new Utf8JsonReader(json[range]);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        usage.Present = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                usage.InputTokens = Number(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                usage.OutputTokens = Number(ref reader);
            }
            else if (reader.ValueTextEquals("total_tokens"u8))
            {
                usage.TotalTokens = Number(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                usage.CachedTokens = Detail(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8))
            {
                usage.ReasoningTokens = Detail(ref reader, "reasoning_tokens"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>The message of an <c>{"error":{"message":…}}</c> object (or of a string), for a failed Response.</summary>
    public static string ErrorMessage(ReadOnlySpan<byte> json, Range range)
    {
        var reader = new Utf8JsonReader(json[range]);
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString()!;
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessage = reader.ValueTextEquals("message"u8);
                reader.Read();
                if (isMessage && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString()!;
                }

                reader.Skip();
            }
        }

        return "The upstream reported an error.";
    }

    private static long Number(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : 0;
    }

    private static long Detail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        long value = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                value = Number(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return value;
    }
}
