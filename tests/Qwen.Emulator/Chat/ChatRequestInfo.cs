using System.Text;
using System.Text.Json;

namespace Qwen.Emulator.Chat;

/// <summary>The few fields of a chat request the emulator reads; the body is otherwise untouched.</summary>
internal readonly record struct ChatRequestInfo(byte[] ModelJson, bool Stream, bool IncludeUsage)
{
    private static readonly byte[] DefaultModel = "qwen3-coder-plus"u8.ToArray();

    /// <summary>Reads model, stream and stream_options.include_usage; false when the body is not one JSON object.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, out ChatRequestInfo info)
    {
        info = default;
        var model = DefaultModel;
        var stream = false;
        var includeUsage = false;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        // The raw (still escaped) bytes, so the answer echoes the model exactly as sent.
                        model = reader.ValueSpan.ToArray();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    includeUsage = ReadIncludeUsage(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        info = new ChatRequestInfo(model, stream, includeUsage);
        return true;
    }

    public string Model => Encoding.UTF8.GetString(ModelJson);

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var includeUsage = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                includeUsage = reader.TokenType == JsonTokenType.True;
            }

            reader.Skip();
        }

        return includeUsage;
    }
}
