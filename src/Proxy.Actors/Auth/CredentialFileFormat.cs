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

    /// <summary>
    /// The file's bytes, indented like the CLI writes it. When <paramref name="existing"/> is the
    /// current file and holds a JSON object, every field of it is kept in its place (<c>id_token</c>,
    /// fields a later CLI adds): only the five fields the proxy owns get their new values, and those
    /// it lacks are added at the end. A <c>resource_url</c> the credential does not have is removed.
    /// </summary>
    public static byte[] Serialize(QwenCredentials credentials, ReadOnlySpan<byte> existing = default)
    {
        using var previous = ParseObject(existing);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            var written = OwnedField.None;
            if (previous is not null)
            {
                foreach (var property in previous.RootElement.EnumerateObject())
                {
                    var field = Owned(property.Name);
                    if (field == OwnedField.None)
                    {
                        property.WriteTo(writer);
                    }
                    else if ((written & field) == 0)
                    {
                        WriteOwned(writer, field, credentials);
                        written |= field;
                    }
                }
            }

            foreach (var field in OwnedOrder)
            {
                if ((written & field) == 0)
                {
                    WriteOwned(writer, field, credentials);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static readonly OwnedField[] OwnedOrder =
        [OwnedField.AccessToken, OwnedField.RefreshToken, OwnedField.TokenType, OwnedField.ResourceUrl, OwnedField.ExpiryDate];

    private static OwnedField Owned(string name) => name switch
    {
        "access_token" => OwnedField.AccessToken,
        "refresh_token" => OwnedField.RefreshToken,
        "token_type" => OwnedField.TokenType,
        "resource_url" => OwnedField.ResourceUrl,
        "expiry_date" => OwnedField.ExpiryDate,
        _ => OwnedField.None,
    };

    private static void WriteOwned(Utf8JsonWriter writer, OwnedField field, QwenCredentials credentials)
    {
        switch (field)
        {
            case OwnedField.AccessToken:
                writer.WriteString("access_token", credentials.AccessToken);
                break;
            case OwnedField.RefreshToken:
                writer.WriteString("refresh_token", credentials.RefreshToken);
                break;
            case OwnedField.TokenType:
                writer.WriteString("token_type", credentials.TokenType);
                break;
            case OwnedField.ResourceUrl when credentials.ResourceUrl is not null:
                writer.WriteString("resource_url", credentials.ResourceUrl);
                break;
            case OwnedField.ExpiryDate:
                writer.WriteNumber("expiry_date", credentials.ExpiresAt.ToUnixTimeMilliseconds());
                break;
        }
    }

    /// <summary>The current file as a JSON object, or null when it is empty, unreadable or not an object (then nothing of it can be kept).</summary>
    private static JsonDocument? ParseObject(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    [Flags]
    private enum OwnedField
    {
        None = 0,
        AccessToken = 1,
        RefreshToken = 2,
        TokenType = 4,
        ResourceUrl = 8,
        ExpiryDate = 16,
    }
}
