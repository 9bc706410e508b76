using System.Text;
using System.Text.Json;

namespace Proxy.EndToEnd.Tests.Support;

/// <summary>Reads an SSE body as a client does: frames, data payloads, and the text of the deltas.</summary>
internal static class Sse
{
    public static IReadOnlyList<string> Frames(string body) =>
        body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

    public static IReadOnlyList<string> Data(string body) =>
        Frames(body).Where(f => f.StartsWith("data: ", StringComparison.Ordinal)).Select(f => f["data: ".Length..]).ToList();

    /// <summary>The concatenation of every <c>choices[0].delta.content</c>, as an appending client shows it.</summary>
    public static string Text(string body) => string.Concat(Deltas(body));

    public static IReadOnlyList<string> Deltas(string body)
    {
        var deltas = new List<string>();
        foreach (var data in Data(body))
        {
            if (data == "[DONE]")
            {
                continue;
            }

            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                && content.ValueKind == JsonValueKind.String)
            {
                deltas.Add(content.GetString()!);
            }
        }

        return deltas;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
