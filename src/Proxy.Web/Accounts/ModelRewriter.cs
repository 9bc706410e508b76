using System.Text.Encodings.Web;
using System.Text.Json;

namespace Proxy.Web.Accounts;

/// <summary>
/// Puts an account's own name for the model into the body (an account alias such as
/// <c>"fast": "qwen3-coder-flash"</c>): the top-level <c>model</c> string is replaced and every
/// other byte stays as the client sent it.
/// </summary>
internal static class ModelRewriter
{
    /// <summary>The body with <c>model</c> set to <paramref name="model"/>; the body itself when it has no top-level model string.</summary>
    public static ReadOnlyMemory<byte> Rewrite(ReadOnlyMemory<byte> body, string model)
    {
        if (!TryFind(body.Span, out var start, out var end))
        {
            return body;
        }

        var encoded = JsonEncodedText.Encode(model, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var result = new byte[body.Length - (end - start) + encoded.Length + 2];
        var span = result.AsSpan();
        body.Span[..start].CopyTo(span);
        var at = start;
        span[at++] = (byte)'"';
        encoded.CopyTo(span[at..]);
        at += encoded.Length;
        span[at++] = (byte)'"';
        body.Span[end..].CopyTo(span[at..]);
        return result;
    }

    /// <summary>Where the top-level <c>model</c> string value starts and ends (quotes included).</summary>
    private static bool TryFind(ReadOnlySpan<byte> body, out int start, out int end)
    {
        start = end = 0;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel && reader.TokenType == JsonTokenType.String)
                {
                    start = (int)reader.TokenStartIndex;
                    end = (int)reader.BytesConsumed;
                    return true;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}
