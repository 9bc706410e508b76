using System.Text.Json;

namespace Proxy.Web.Upstream;

/// <summary>
/// Whether a whole upstream answer is one complete JSON document: one <see cref="Utf8JsonReader"/>
/// pass over bytes already in hand, no DOM. A body cut half way, an empty body or trailing bytes
/// after the document are not; the caller answers those with 502 rather than a 200 that a client's
/// JSON decoder chokes on.
/// </summary>
internal static class UpstreamJson
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    /// <summary>True when <paramref name="body"/> holds exactly one well-formed JSON value (a UTF-8 BOM and surrounding whitespace allowed).</summary>
    public static bool IsCompleteDocument(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var reader = new Utf8JsonReader(body, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            // Skip walks the whole value; with isFinalBlock the next Read throws on anything after it.
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
