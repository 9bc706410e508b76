using System.IO.Compression;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using ZstdSharp;

namespace Proxy.Web.Security;

/// <summary>
/// Undoes a request's <c>Content-Encoding</c> (gzip, deflate, br, zstd; several in the order the
/// client applied them) before anything reads the body, so the endpoints see plain JSON; the body
/// limit then counts decoded bytes (<see cref="DecodedBodyStream"/>). Any other coding gets 415
/// naming it, with <c>Accept-Encoding</c> listing what is understood (RFC 7694).
/// </summary>
internal sealed class RequestDecodingMiddleware(RequestDelegate next, ProxyOptions options)
{
    /// <summary>The codings this proxy decodes, as an <c>Accept-Encoding</c> value.</summary>
    public const string Supported = "gzip, deflate, br, zstd";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var header = request.Headers.ContentEncoding;
        if (StringValues.IsNullOrEmpty(header))
        {
            await next(context);
            return;
        }

        var codings = new List<string>();
        foreach (var value in header)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (part.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (Decoder(part) is null)
                {
                    await UnsupportedAsync(context, part);
                    return;
                }

                codings.Add(part.ToLowerInvariant());
            }
        }

        if (codings.Count == 0)
        {
            request.Headers.Remove(HeaderNames.ContentEncoding);
            await next(context);
            return;
        }

        // Applied in the order listed, so undone from the last.
        var body = request.Body;
        for (var i = codings.Count - 1; i >= 0; i--)
        {
            body = Decoder(codings[i])!(body);
        }

        await using var decoded = new DecodedBodyStream(body, string.Join(", ", codings), options.MaxRequestBodyBytes);
        request.Body = decoded;
        request.ContentLength = null;
        request.Headers.Remove(HeaderNames.ContentEncoding);
        await next(context);
    }

    private static Func<Stream, Stream>? Decoder(string coding) => coding.ToLowerInvariant() switch
    {
        "gzip" or "x-gzip" => static s => new GZipStream(s, CompressionMode.Decompress, leaveOpen: true),
        "deflate" => static s => new ZLibStream(s, CompressionMode.Decompress, leaveOpen: true),
        "br" => static s => new BrotliStream(s, CompressionMode.Decompress, leaveOpen: true),
        "zstd" => static s => new DecompressionStream(s, leaveOpen: true),
        _ => null,
    };

    private static Task UnsupportedAsync(HttpContext context, string coding)
    {
        context.Response.Headers.AcceptEncoding = Supported;
        return OpenAiError.WriteAsync(
            context,
            StatusCodes.Status415UnsupportedMediaType,
            ErrorTypes.InvalidRequest,
            $"Unsupported Content-Encoding '{coding}': send the body uncompressed or as {Supported}.",
            "unsupported_content_encoding");
    }
}
