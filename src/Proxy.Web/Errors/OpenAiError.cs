using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Proxy.Web.Protocols.Anthropic;

namespace Proxy.Web.Errors;

/// <summary>
/// The one writer of error envelopes: OpenAI's
/// <c>{"error":{"message":...,"type":...,"param":...,"code":...}}</c>, or, for a request on an
/// Anthropic path (<see cref="AnthropicErrors.Applies"/>), Anthropic's
/// <c>{"type":"error","error":{"type":...,"message":...}}</c> with the type for the same status.
/// Every refusal (middleware, endpoints, upstream failures) comes through <see cref="WriteAsync"/>,
/// so the envelope is chosen here, once.
/// </summary>
internal static class OpenAiError
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>The envelope as UTF-8 JSON (no trailing newline).</summary>
    public static byte[] ToJson(string message, string type, string? param = null, string? code = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            WriteNullable(writer, "param", param);
            WriteNullable(writer, "code", code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The envelope as one SSE event, <c>data: {...}\n\n</c>, for a stream that fails after it started.</summary>
    public static byte[] ToSseEvent(string message, string type, string? param = null, string? code = null)
    {
        var json = ToJson(message, type, param, code);
        var sse = new byte[json.Length + 8];
        "data: "u8.CopyTo(sse);
        json.CopyTo(sse, 6);
        sse[^2] = (byte)'\n';
        sse[^1] = (byte)'\n';
        return sse;
    }

    /// <summary>
    /// Writes the envelope as the whole response. Returns false (and writes nothing) when the
    /// response has already started; the caller must then end the stream its own way.
    /// </summary>
    public static async Task<bool> WriteAsync(
        HttpContext context,
        int statusCode,
        string type,
        string message,
        string? code = null,
        string? param = null,
        TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return false;
        }

        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = RetryAfterSeconds(delay).ToString(CultureInfo.InvariantCulture);
        }

        var body = AnthropicErrors.Applies(context)
            ? AnthropicErrors.ToJson(AnthropicErrors.TypeFor(statusCode, type), message, context.TraceIdentifier)
            : ToJson(message, type, param, code);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }

        return true;
    }

    /// <summary>The envelope as a minimal-API result.</summary>
    public static IResult Result(int statusCode, string type, string message, string? code = null, string? param = null, TimeSpan? retryAfter = null) =>
        new OpenAiErrorResult(statusCode, type, message, code, param, retryAfter);

    /// <summary>Whole seconds for <c>Retry-After</c>, rounded up, at least 1.</summary>
    public static long RetryAfterSeconds(TimeSpan delay) => Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds));

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private sealed record OpenAiErrorResult(int StatusCode, string Type, string Message, string? Code, string? Param, TimeSpan? RetryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) =>
            WriteAsync(httpContext, StatusCode, Type, Message, Code, Param, RetryAfter);
    }
}
