using System.Text;
using System.Text.Json;

namespace Proxy.Benchmarks.Streaming;

/// <summary>Qwen-shaped <c>chat.completion.chunk</c> payloads with typical 5-20 byte deltas (seeded).</summary>
internal static class BenchChunks
{
    private static readonly string[] Words =
    [
        " the", " stream", " of", " tokens", " arrives", " in", " small", " pieces,", " each", " a", " delta", " caf\u00e9",
        " \"quoted\"", " line\n", " return x == y;", " \u4e2d\u6587", " and", " then", " some", " more",
    ];

    /// <summary>Content deltas of 5-20 bytes.</summary>
    public static string[] Deltas(int count, int seed = 42)
    {
        var rng = new Random(seed);
        var deltas = new string[count];
        for (var i = 0; i < count; i++)
        {
            var sb = new StringBuilder();
            var target = rng.Next(5, 21);
            while (Encoding.UTF8.GetByteCount(sb.ToString()) < target)
            {
                sb.Append(Words[rng.Next(Words.Length)]);
            }

            deltas[i] = sb.ToString();
        }

        return deltas;
    }

    public static byte[] Payload(string content) => Encoding.UTF8.GetBytes(
        "{\"choices\":[{\"delta\":{\"content\":" + JsonSerializer.Serialize(content)
        + "},\"finish_reason\":null,\"index\":0,\"logprobs\":null}],\"object\":\"chat.completion.chunk\",\"usage\":null,"
        + "\"created\":1756618477,\"system_fingerprint\":null,\"model\":\"qwen3-coder-plus\",\"id\":\"chatcmpl-69c25da8-a5a6-9ecc-9f9c-d2f9f359d92e\"}");

    /// <summary>Each delta as its own chunk.</summary>
    public static byte[][] Clean(string[] deltas) => deltas.Select(Payload).ToArray();

    /// <summary>Each chunk carries the whole text so far (a snapshot upstream).</summary>
    public static byte[][] Cumulative(string[] deltas)
    {
        var text = new StringBuilder();
        return deltas.Select(d => Payload(text.Append(d).ToString())).ToArray();
    }

    /// <summary>The chunks as an upstream SSE body, ending with [DONE].</summary>
    public static byte[] Sse(byte[][] payloads)
    {
        var body = new List<byte>();
        foreach (var p in payloads)
        {
            body.AddRange("data: "u8.ToArray());
            body.AddRange(p);
            body.AddRange("\n\n"u8.ToArray());
        }

        body.AddRange("data: [DONE]\n\n"u8.ToArray());
        return [.. body];
    }
}
