using System.Text.Json;

namespace Proxy.Actors.Upstream;

/// <summary>Reads the top-level <c>"stream"</c> flag of a request body without building a DOM.</summary>
internal static class StreamFlag
{
    /// <summary>True when the body is a JSON object whose top-level <c>stream</c> is <see langword="true"/>.</summary>
    public static bool IsStreaming(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isStream = reader.ValueTextEquals("stream"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isStream)
                {
                    return reader.TokenType == JsonTokenType.True;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed or truncated: treat as non-streaming; the upstream judges the body.
        }

        return false;
    }
}
