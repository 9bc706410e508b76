using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;

namespace Proxy.Web.Security;

/// <summary>
/// Before any body is read: a declared body larger than MAX_REQUEST_BODY_BYTES gets 413, and a
/// body that is not <c>application/json</c> gets 415 (except the login page's key form). (A chunked body that grows past the limit
/// is stopped by Kestrel's limit and answered 413 by the exception handler.) A request without a
/// body needs no content type.
/// </summary>
internal sealed class RequestBodyGuardMiddleware(RequestDelegate next, ProxyOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        if (!(HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method)))
        {
            await next(context);
            return;
        }

        if (request.ContentLength > options.MaxRequestBodyBytes)
        {
            await TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        var hasBody = HasBody(context);
        if ((hasBody || request.ContentType is not null) && !IsJson(request.ContentType)
            && !(PublicPaths.IsAuthKeyForm(request.Path) && request.HasFormContentType))
        {
            var got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{request.ContentType}'";
            await OpenAiError.WriteAsync(
                context,
                StatusCodes.Status415UnsupportedMediaType,
                ErrorTypes.InvalidRequest,
                $"Unsupported media type: send the body as JSON with 'Content-Type: application/json' (got {got}).",
                "unsupported_media_type");
            return;
        }

        await next(context);
    }

    /// <summary>True when the request declares or may carry a body (chunked, or HTTP/2 without END_STREAM).</summary>
    public static bool HasBody(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is { } length)
        {
            return length > 0;
        }

        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? request.Headers.TransferEncoding.Count > 0;
    }

    public static Task TooLargeAsync(HttpContext context, long limit) =>
        OpenAiError.WriteAsync(
            context,
            StatusCodes.Status413PayloadTooLarge,
            ErrorTypes.InvalidRequest,
            $"Request body too large: the limit is {limit.ToString(CultureInfo.InvariantCulture)} bytes (MAX_REQUEST_BODY_BYTES).",
            "request_too_large");

    /// <summary><c>application/json</c> (any parameters, UTF-8 if a charset is named).</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = mediaType.Charset;
        return !charset.HasValue
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }
}
