using System.Text.Json;

namespace Proxy.Actors.Streaming;

/// <summary>
/// Reads one event payload with <see cref="Utf8JsonReader"/> (no DOM, no allocation) and finds what
/// the repair needs: <c>choices[0].delta.content</c> and whether the chunk carries anything else.
/// The whole payload is read, so invalid JSON is reported as malformed.
/// </summary>
internal static class ChunkInspector
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Inspects a payload; false when it is not valid JSON.</summary>
    public static bool TryInspect(ReadOnlySpan<byte> payload, out ChunkInfo info)
    {
        try
        {
            info = Inspect(payload);
            return true;
        }
        catch (JsonException)
        {
            info = default;
            return false;
        }
    }

    private static ChunkInfo Inspect(ReadOnlySpan<byte> payload)
    {
        var reader = new Utf8JsonReader(payload, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        if (!reader.Read())
        {
            throw new JsonException("empty payload");
        }

        var flags = ChunkFlags.None;
        int contentStart = 0, contentLength = 0;
        var escaped = false;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            flags |= ChunkFlags.NotAnObject;
        }
        else
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        ReadChoices(ref reader, ref flags, ref contentStart, ref contentLength, ref escaped);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    flags |= ReadNonNull(ref reader, ChunkFlags.Usage);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    flags |= ReadNonNull(ref reader, ChunkFlags.Error);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }

        // Anything after the root value (other than whitespace) makes the reader throw here.
        if (reader.Read())
        {
            throw new JsonException("trailing data");
        }

        return new ChunkInfo(flags, contentStart, contentLength, escaped);
    }

    private static void ReadChoices(ref Utf8JsonReader reader, ref ChunkFlags flags, ref int contentStart, ref int contentLength, ref bool escaped)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (index == 0 && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadChoice(ref reader, ref flags, ref contentStart, ref contentLength, ref escaped);
            }
            else
            {
                flags |= ChunkFlags.OtherChoice;
                reader.Skip();
            }

            index++;
        }

        if (index == 0)
        {
            flags |= ChunkFlags.EmptyChoices;
        }
    }

    private static void ReadChoice(ref Utf8JsonReader reader, ref ChunkFlags flags, ref int contentStart, ref int contentLength, ref bool escaped)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadDelta(ref reader, ref flags, ref contentStart, ref contentLength, ref escaped);
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                // DashScope's native shape sends the string "null" while a choice is still open.
                if (reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals("null"u8) && !reader.ValueTextEquals(""u8))
                {
                    flags |= ChunkFlags.FinishReason;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && (!reader.TryGetInt32(out var i) || i != 0))
                {
                    flags |= ChunkFlags.OtherChoice;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadDelta(ref Utf8JsonReader reader, ref ChunkFlags flags, ref int contentStart, ref int contentLength, ref bool escaped)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    flags |= ChunkFlags.Content;
                    contentStart = checked((int)reader.TokenStartIndex + 1);
                    contentLength = reader.ValueSpan.Length;
                    escaped = reader.ValueIsEscaped;
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    // Content as an array of parts is not a text delta: pass it through untouched.
                    flags |= ChunkFlags.OtherDelta;
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("role"u8))
            {
                flags |= ReadNonNull(ref reader, ChunkFlags.Role);
            }
            else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
            {
                flags |= ReadNonNull(ref reader, ChunkFlags.ToolCalls);
            }
            else if (reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8))
            {
                flags |= ReadNonNull(ref reader, ChunkFlags.Reasoning);
            }
            else
            {
                flags |= ReadNonNull(ref reader, ChunkFlags.OtherDelta);
            }
        }
    }

    /// <summary>Reads the value after a property name; returns <paramref name="flag"/> unless it is null.</summary>
    private static ChunkFlags ReadNonNull(ref Utf8JsonReader reader, ChunkFlags flag)
    {
        reader.Read();
        var isNull = reader.TokenType == JsonTokenType.Null;
        reader.Skip();
        return isNull ? ChunkFlags.None : flag;
    }
}
