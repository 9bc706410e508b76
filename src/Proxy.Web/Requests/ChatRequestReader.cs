using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Proxy.Web.Models;

namespace Proxy.Web.Requests;

/// <summary>
/// Validates a chat request body in one forward pass (<see cref="Utf8JsonReader"/>, no DOM) and
/// reads only <c>model</c>, <c>stream</c>, <c>stream_options.include_usage</c> and the shape of
/// <c>messages</c>. The body is returned as sent, byte for byte, except that when the model
/// mapping changes the model, its string value is replaced in place (or, when the client named
/// no model, <c>"model":"…",</c> is inserted after the opening brace).
/// </summary>
internal sealed class ChatRequestReader(ModelMapper mapper)
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    public bool TryRead(
        ReadOnlyMemory<byte> body,
        CompletionApi api,
        [NotNullWhen(true)] out ChatRequest? request,
        [NotNullWhen(false)] out RequestError? error,
        Protocols.IClientProtocol? protocol = null,
        Func<string, string>? upstreamModel = null)
    {
        request = null;
        if (!TryScan(body.Span, api, out var scan, out error))
        {
            return false;
        }

        var model = mapper.Map(scan.Model is not null && upstreamModel is not null ? upstreamModel(scan.Model) : scan.Model);
        ReadOnlyMemory<byte> forwarded = body;
        var rewritten = false;
        if (scan.Model is null)
        {
            forwarded = Splice(body.Span, scan.ObjectStart + 1, scan.ObjectStart + 1, model, scan.PropertyCount > 0 ? "," : string.Empty);
            rewritten = true;
        }
        else if (!string.Equals(scan.Model, model, StringComparison.Ordinal))
        {
            forwarded = Splice(body.Span, scan.ModelStart, scan.ModelEnd, model, string.Empty);
            rewritten = true;
        }

        request = new ChatRequest
        {
            Body = forwarded,
            RequestedModel = scan.Model,
            Model = model,
            Stream = scan.Stream,
            IncludeUsage = scan.IncludeUsage,
            BodyRewritten = rewritten,
            Api = api,
            Protocol = protocol,
        };
        return true;
    }

    private static bool TryScan(ReadOnlySpan<byte> body, CompletionApi api, out Scan scan, [NotNullWhen(false)] out RequestError? error)
    {
        scan = default;
        error = null;
        if (IsBlank(body))
        {
            error = new RequestError("The request body is empty; send a JSON object with 'model' and 'messages'.");
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            error = new RequestError("The request body is not valid UTF-8.");
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = new RequestError("The request body must be a JSON object.");
                return false;
            }

            scan.ObjectStart = (int)reader.TokenStartIndex;
            var sawMessages = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                scan.PropertyCount++;
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = new RequestError("'model' must be a string.", "model");
                        return false;
                    }

                    if (scan.Model is not null)
                    {
                        error = new RequestError("'model' appears more than once.", "model");
                        return false;
                    }

                    scan.ModelStart = (int)reader.TokenStartIndex;
                    scan.ModelEnd = (int)reader.BytesConsumed;
                    scan.Model = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    if (!TryReadOptionalBool(ref reader, out scan.Stream))
                    {
                        error = new RequestError("'stream' must be a boolean.", "stream");
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    if (!TryReadStreamOptions(ref reader, out scan.IncludeUsage, out error))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        error = new RequestError("'messages' must be an array.", "messages");
                        return false;
                    }

                    sawMessages = true;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            // The root object is closed here; anything after it other than whitespace throws.
            if (reader.Read())
            {
                error = new RequestError("The request body must be a single JSON object.");
                return false;
            }

            if (api == CompletionApi.Chat && !sawMessages)
            {
                error = new RequestError("'messages' is required.", "messages");
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = new RequestError("The request body is not valid JSON: " + Describe(ex));
            return false;
        }
    }

    private static bool TryReadStreamOptions(ref Utf8JsonReader reader, out bool includeUsage, [NotNullWhen(false)] out RequestError? error)
    {
        includeUsage = false;
        error = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = new RequestError("'stream_options' must be an object.", "stream_options");
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("include_usage"u8))
            {
                reader.Read();
                if (!TryReadOptionalBool(ref reader, out includeUsage))
                {
                    error = new RequestError("'stream_options.include_usage' must be a boolean.", "stream_options.include_usage");
                    return false;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    private static bool TryReadOptionalBool(ref Utf8JsonReader reader, out bool value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                value = true;
                return true;
            case JsonTokenType.False:
            case JsonTokenType.Null:
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    private static byte[] Splice(ReadOnlySpan<byte> body, int start, int end, string model, string suffix)
    {
        ReadOnlySpan<byte> prefix = start == end ? "\"model\":"u8 : ReadOnlySpan<byte>.Empty;
        var encoded = JsonEncodedText.Encode(model, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var suffixBytes = System.Text.Encoding.UTF8.GetBytes(suffix);
        var result = new byte[body.Length - (end - start) + prefix.Length + encoded.Length + 2 + suffixBytes.Length];
        var span = result.AsSpan();
        body[..start].CopyTo(span);
        var at = start;
        prefix.CopyTo(span[at..]);
        at += prefix.Length;
        span[at++] = (byte)'"';
        encoded.CopyTo(span[at..]);
        at += encoded.Length;
        span[at++] = (byte)'"';
        suffixBytes.CopyTo(span[at..]);
        at += suffixBytes.Length;
        body[end..].CopyTo(span[at..]);
        return result;
    }

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private struct Scan
    {
        public int ObjectStart;
        public int PropertyCount;
        public string? Model;
        public int ModelStart;
        public int ModelEnd;
        public bool Stream;
        public bool IncludeUsage;
    }
}
