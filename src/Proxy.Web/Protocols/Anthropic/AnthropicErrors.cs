using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Proxy.Actors.Resilience;
using Proxy.Web.Errors;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// Anthropic's error envelope, <c>{"type":"error","error":{"type":…,"message":…},"request_id":…}</c>,
/// and its error types. Every request under <c>/v1/messages</c> gets it, whichever part of the proxy
/// refused the request (see <see cref="OpenAiError"/>, the one writer of error bodies).
/// Statuses stay the proxy's own; the types follow Anthropic's table: 400 invalid_request_error
/// (also 405, 415 and other 4xx), 401 authentication_error, 402 billing_error, 403 permission_error,
/// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500 and 502 api_error,
/// 503 overloaded_error (an open circuit, shutdown: retry later) except a missing upstream login,
/// which is api_error, 504 timeout_error, 529 overloaded_error.
/// </summary>
internal static class AnthropicErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Authentication = "authentication_error";
    public const string Billing = "billing_error";
    public const string Permission = "permission_error";
    public const string NotFound = "not_found_error";
    public const string RequestTooLarge = "request_too_large";
    public const string RateLimit = "rate_limit_error";
    public const string Api = "api_error";
    public const string Timeout = "timeout_error";
    public const string Overloaded = "overloaded_error";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>True for the paths that answer in Anthropic's envelope: <c>/v1/messages</c> and below.</summary>
    public static bool Applies(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/v1/messages", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Anthropic error type for a status and the proxy's own (OpenAI) error type.</summary>
    public static string TypeFor(int status, string proxyType) => status switch
    {
        401 => Authentication,
        402 => Billing,
        403 => Permission,
        404 => NotFound,
        413 => RequestTooLarge,
        429 => RateLimit,
        503 when proxyType == ErrorTypes.AuthRequired => Api,
        503 or 529 => Overloaded,
        504 => Timeout,
        >= 500 => Api,
        _ => InvalidRequest,
    };

    /// <summary>The Anthropic error type of a failure that ends a started stream.</summary>
    public static string TypeFor(FailureKind kind) => TypeFor(kind.ToStatusCode(), kind.ToErrorType());

    /// <summary>The envelope as UTF-8 JSON; <paramref name="requestId"/> is left out when null.</summary>
    public static byte[] ToJson(string type, string message, string? requestId)
    {
        var buffer = new ArrayBufferWriter<byte>(96 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteEnvelope(writer, type, message, requestId);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <c>event: error</c> with the envelope (no request id), the way a stream ends in failure.</summary>
    public static void WriteErrorEvent(IBufferWriter<byte> output, string type, string message)
    {
        output.Write("event: error\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            WriteEnvelope(writer, type, message, requestId: null);
        }

        output.Write("\n\n"u8);
    }

    private static void WriteEnvelope(Utf8JsonWriter writer, string type, string message, string? requestId)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, type);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
        if (requestId is not null)
        {
            writer.WriteString("request_id"u8, requestId);
        }

        writer.WriteEndObject();
    }
}
