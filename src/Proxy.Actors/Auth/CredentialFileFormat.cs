using System.Buffers;
using System.Text.Json;

namespace Proxy.Actors.Auth;

/// <summary>
/// The JSON of <c>oauth_creds.json</c> as the Qwen Code CLI reads and writes it: <c>access_token</c>,
/// <c>refresh_token</c>, <c>token_type</c>, <c>resource_url</c> (optional) and <c>expiry_date</c>
/// in epoch milliseconds.
/// </summary>
internal static class CredentialFileFormat
{
    /// <summary>Parses the file; null when it is not a usable credential (never throws on bad input).</summary>
    public static QwenCredentials? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var accessToken = GetString(root, "access_token");
            if (string.IsNullOrEmpty(accessToken))
            {
                return null;
            }

            var expiry = DateTimeOffset.MinValue;
            if (root.TryGetProperty("expiry_date", out var expiryElement) && expiryElement.ValueKind == JsonValueKind.Number)
            {
                var ms = expiryElement.TryGetInt64(out var whole) ? whole : (long)expiryElement.GetDouble();
                expiry = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }

            return new QwenCredentials(
                accessToken,
                GetString(root, "refresh_token") ?? string.Empty,
                GetString(root, "token_type") ?? "Bearer",
                GetString(root, "resource_url"),
                expiry);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentOutOfRangeException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The file's bytes: indented like the CLI writes it.</summary>
    public static byte[] Serialize(QwenCredentials credentials)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", credentials.AccessToken);
            writer.WriteString("refresh_token", credentials.RefreshToken);
            writer.WriteString("token_type", credentials.TokenType);
            if (credentials.ResourceUrl is not null)
            {
                writer.WriteString("resource_url", credentials.ResourceUrl);
            }

            writer.WriteNumber("expiry_date", credentials.ExpiresAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
