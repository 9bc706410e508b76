using System.Text.Json;

namespace Proxy.Web.Protocols;

/// <summary>
/// One entry of a chat answer's or chunk's <c>tool_calls</c>, read in place: the escaped bodies of
/// its <c>id</c>, <c>function.name</c> and <c>function.arguments</c> strings (empty when absent,
/// null or not a string) and its <c>index</c> (-1 when absent). The spans point into the buffer
/// the reader reads, so nothing is copied.
/// </summary>
internal readonly ref struct ChatToolCall
{
    public long Index { get; private init; }

    public ReadOnlySpan<byte> Id { get; private init; }

    public ReadOnlySpan<byte> Name { get; private init; }

    public ReadOnlySpan<byte> Arguments { get; private init; }

    /// <summary>Reads the call whose <c>{</c> the reader is on; the reader ends on its <c>}</c>.</summary>
    public static ChatToolCall Read(scoped ref Utf8JsonReader reader)
    {
        long index = -1;
        ReadOnlySpan<byte> id = default, name = default, arguments = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("index"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
                {
                    index = value;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                id = StringBody(ref reader);
            }
            else if (reader.ValueTextEquals("function"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("name"u8))
                    {
                        name = StringBody(ref reader);
                    }
                    else if (reader.ValueTextEquals("arguments"u8))
                    {
                        arguments = StringBody(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ChatToolCall { Index = index, Id = id, Name = name, Arguments = arguments };
    }

    /// <summary>The value after a property name, when it is a string; else empty, and the value skipped.</summary>
    private static ReadOnlySpan<byte> StringBody(scoped ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueSpan;
        }

        reader.Skip();
        return default;
    }
}
