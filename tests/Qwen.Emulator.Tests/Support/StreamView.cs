using System.Text;
using System.Text.Json;

namespace Qwen.Emulator.Tests.Support;

/// <summary>A streamed answer taken apart: the JSON chunks and whether it ended with [DONE].</summary>
internal sealed class StreamView
{
    public StreamView(string body)
    {
        var payloads = Sse.Payloads(body);
        EndsWithDone = payloads.Count > 0 && payloads[^1] == "[DONE]";
        Chunks = [.. payloads.Take(EndsWithDone ? payloads.Count - 1 : payloads.Count).Select(p => JsonDocument.Parse(p).RootElement.Clone())];
    }

    public IReadOnlyList<JsonElement> Chunks { get; }

    public bool EndsWithDone { get; }

    /// <summary>Chunks that carry a choice (everything but the usage chunk).</summary>
    public IEnumerable<JsonElement> ChoiceChunks => Chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0);

    public IEnumerable<JsonElement> Deltas => ChoiceChunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta"));

    /// <summary>Every delta.content in order (chunks without content are skipped).</summary>
    public IReadOnlyList<string> Contents => [.. Deltas.Where(d => d.TryGetProperty("content", out _)).Select(d => d.GetProperty("content").GetString()!)];

    public string Content => string.Concat(Contents);

    public string Reasoning => string.Concat(Deltas.Where(d => d.TryGetProperty("reasoning_content", out _)).Select(d => d.GetProperty("reasoning_content").GetString()));

    public IReadOnlyList<string?> FinishReasons => [.. ChoiceChunks.Select(c => c.GetProperty("choices")[0].GetProperty("finish_reason").GetString())];

    /// <summary>Tool calls assembled the way an OpenAI client does: by index, arguments appended.</summary>
    public IReadOnlyList<(string Id, string Name, string Arguments)> ToolCalls()
    {
        var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
        foreach (var delta in Deltas)
        {
            if (!delta.TryGetProperty("tool_calls", out var pieces))
            {
                continue;
            }

            foreach (var piece in pieces.EnumerateArray())
            {
                var index = piece.GetProperty("index").GetInt32();
                var fragment = piece.GetProperty("function").GetProperty("arguments").GetString();
                if (piece.TryGetProperty("id", out var id))
                {
                    calls.Add(index, (id.GetString()!, piece.GetProperty("function").GetProperty("name").GetString()!, new StringBuilder(fragment)));
                }
                else
                {
                    calls[index].Arguments.Append(fragment);
                }
            }
        }

        return [.. calls.Values.Select(c => (c.Id, c.Name, c.Arguments.ToString()))];
    }
}
