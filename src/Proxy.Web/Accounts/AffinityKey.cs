using System.IO.Hashing;
using System.Text;
using System.Text.Json;

namespace Proxy.Web.Accounts;

/// <summary>
/// A request's session key for affinity, hashed to 64 bits. The first found wins: the affinity
/// header, the body's <c>prompt_cache_key</c>, <c>user</c>, <c>metadata.user_id</c>, then the first
/// messages' bytes as sent (the system prompt and the opening question stay the same for a whole
/// conversation). One forward pass of <see cref="Utf8JsonReader"/>; nothing is copied.
/// </summary>
internal static class AffinityKey
{
    public static ulong? Compute(AffinityOptions options, string? headerValue, ReadOnlySpan<byte> body)
    {
        if (!options.Enabled)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(headerValue))
        {
            return Hash(headerValue.Trim());
        }

        string? promptCacheKey = null;
        string? user = null;
        string? metadataUser = null;
        var messages = Range.StartAt(0);
        var hasMessages = false;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("prompt_cache_key"u8))
                {
                    promptCacheKey = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    user = ReadString(ref reader);
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    metadataUser = ReadUserId(ref reader);
                }
                else if (reader.ValueTextEquals("messages"u8) && options.HashedMessages > 0)
                {
                    hasMessages = ReadLeadingMessages(ref reader, options.HashedMessages, out messages);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // The request reader already refused malformed bodies; a key is never worth an error.
            return null;
        }

        var named = promptCacheKey ?? user ?? metadataUser;
        if (!string.IsNullOrEmpty(named))
        {
            return Hash(named);
        }

        return hasMessages ? XxHash3.HashToUInt64(body[messages]) : null;
    }

    private static ulong Hash(string text)
    {
        Span<byte> buffer = text.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(text.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var length = Encoding.UTF8.GetBytes(text, buffer);
        return XxHash3.HashToUInt64(buffer[..length]);
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static string? ReadUserId(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? userId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("user_id"u8))
            {
                userId = ReadString(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return userId;
    }

    /// <summary>The bytes of the first <paramref name="count"/> messages (fewer when the array is shorter).</summary>
    private static bool ReadLeadingMessages(ref Utf8JsonReader reader, int count, out Range range)
    {
        range = Range.StartAt(0);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        var start = -1L;
        var end = -1L;
        var seen = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (seen < count)
            {
                if (start < 0)
                {
                    start = reader.TokenStartIndex;
                }

                reader.Skip();
                end = reader.BytesConsumed;
                seen++;
            }
            else
            {
                reader.Skip();
            }
        }

        if (seen == 0)
        {
            return false;
        }

        range = new Range((int)start, (int)end);
        return true;
    }
}
