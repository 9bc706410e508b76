using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Proxy.Web.Errors;

namespace Proxy.Web.Security;

/// <summary>
/// The request line and header limits, answered in the error envelope. Kestrel rejects a request
/// over its own limits while parsing it, before any middleware runs, with an empty 414 or 431 and
/// no way to give it a body. So Kestrel's limits are set to a higher ceiling
/// (<see cref="KestrelHeadersCeiling"/>, <see cref="KestrelRequestLineCeiling"/>,
/// <see cref="KestrelHeaderCountCeiling"/>) and the limits clients meet, Kestrel's own defaults,
/// are enforced here; only a request past the ceiling still gets Kestrel's empty answer.
/// </summary>
internal sealed class HeaderLimitMiddleware(RequestDelegate next)
{
    /// <summary>Most bytes of all request headers (Kestrel's default).</summary>
    public const int MaxHeadersBytes = 32 * 1024;

    /// <summary>Most bytes of the request line (Kestrel's default).</summary>
    public const int MaxRequestLineBytes = 8 * 1024;

    /// <summary>Most request headers (Kestrel's default).</summary>
    public const int MaxHeaderCount = 100;

    /// <summary>Kestrel's own header limit: past it, Kestrel answers an empty 431 itself.</summary>
    public const int KestrelHeadersCeiling = 128 * 1024;

    /// <summary>Kestrel's own request-line limit: past it, Kestrel answers an empty 414 itself.</summary>
    public const int KestrelRequestLineCeiling = 64 * 1024;

    /// <summary>Kestrel's own header count limit: past it, Kestrel answers an empty 431 itself.</summary>
    public const int KestrelHeaderCountCeiling = 1000;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path + request.QueryString).ToString();
        var requestLine = request.Method.Length + 1 + target.Length + 1 + request.Protocol.Length;
        if (requestLine > MaxRequestLineBytes)
        {
            return OpenAiError.WriteAsync(
                context,
                StatusCodes.Status414UriTooLong,
                ErrorTypes.InvalidRequest,
                $"Request line too long: {Number(requestLine)} bytes, the limit is {Number(MaxRequestLineBytes)}.",
                "uri_too_long");
        }

        var count = 0;
        long size = 0;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                count++;
                size += name.Length + 2 + (value?.Length ?? 0) + 2; // "Name: value\r\n"
            }
        }

        if (size > MaxHeadersBytes || count > MaxHeaderCount)
        {
            var message = size > MaxHeadersBytes
                ? $"Request headers too large: {Number(size)} bytes, the limit is {Number(MaxHeadersBytes)}."
                : $"Too many request headers: {Number(count)}, the limit is {Number(MaxHeaderCount)}.";
            return OpenAiError.WriteAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, ErrorTypes.InvalidRequest, message, "headers_too_large");
        }

        return next(context);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
