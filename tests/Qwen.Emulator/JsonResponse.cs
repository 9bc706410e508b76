using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Qwen.Emulator;

/// <summary>Writes a small JSON body built with <see cref="Utf8JsonWriter"/> (no reflection, no DOM).</summary>
internal static class JsonResponse
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.BodyWriter.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>An OAuth error: <c>{"error":"...","error_description":"..."}</c>.</summary>
    public static Task OAuthErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteAsync(context, status, json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("error_description", description);
            json.WriteEndObject();
        });
}
