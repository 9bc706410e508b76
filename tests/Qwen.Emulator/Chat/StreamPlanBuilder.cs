using System.Collections.Concurrent;
using System.Text;

namespace Qwen.Emulator.Chat;

/// <summary>Turns a scenario into its events once; plans are cached per <see cref="PlanKey"/>.</summary>
internal static class StreamPlanBuilder
{
    private const int MaxCachedPlans = 1024;
    private const ulong DuplicateSalt = 0x4475706C69636174UL;

    /// <summary>The pieces of the tricky stream before the text; they concatenate to <see cref="EmulatorText.TrickyPrefix"/>.</summary>
    private static readonly string[] TrickyPieces = ["\n", "\n", "", "=", "==", ""];

    private static readonly ConcurrentDictionary<PlanKey, StreamPlan> Cache = new();

    public static StreamPlan For(PlanKey key) =>
        Cache.TryGetValue(key, out var plan) ? plan
        : Cache.Count < MaxCachedPlans ? Cache.GetOrAdd(key, Build)
        : Build(key);

    /// <summary>The echo answer: one content chunk holding the request body text.</summary>
    public static StreamPlan Echo(string body)
    {
        var delta = new StringBuilder("{\"role\":\"assistant\",\"content\":");
        JsonText.AppendQuoted(delta, body).Append('}');
        var events = new[] { Tail(delta.ToString(), "stop") };
        return new StreamPlan(events, Choices(body, null, [], "stop"), Tokens(body.Length));
    }

    private static StreamPlan Build(PlanKey key)
    {
        var text = EmulatorText.For(key.Seed, key.Chunks, key.ChunkChars);
        var reasoning = EmulatorText.Reasoning(key.Seed, key.Reasoning, key.ChunkChars);
        var tools = EmulatorText.ToolCalls(key.Seed, key.Tools);
        var events = new List<byte[]>();
        var roleSent = false;
        string Role()
        {
            if (roleSent)
            {
                return "";
            }

            roleSent = true;
            return "\"role\":\"assistant\",";
        }

        foreach (var piece in Pieces(reasoning, key.ChunkChars))
        {
            events.Add(Tail(Delta(Role(), "reasoning_content", piece), null));
        }

        var contentFinish = tools.Count == 0 ? "stop" : null;
        if (key.Stutter == StutterKind.Tricky)
        {
            if (!roleSent)
            {
                roleSent = true;
                events.Add(Tail("{\"role\":\"assistant\"}", null));
            }

            foreach (var piece in TrickyPieces)
            {
                events.Add(Tail(Delta("", "content", piece), null));
            }

            foreach (var piece in Pieces(text, key.ChunkChars))
            {
                events.Add(Tail(Delta("", "content", piece), null));
            }

            events.Add(Tail(Delta("", "content", ""), contentFinish));
        }
        else if (key.Chunks == 0)
        {
            if (tools.Count == 0)
            {
                events.Add(Tail(Delta(Role(), "content", ""), "stop"));
            }
        }
        else
        {
            var duplicates = key.Stutter == StutterKind.Duplicate ? PickDuplicates(key) : [];
            for (var i = 0; i < key.Chunks; i++)
            {
                var cumulative = key.Stutter == StutterKind.CumulativeAll
                    || (key.Stutter == StutterKind.Cumulative && i < key.StutterCount);
                var piece = cumulative
                    ? text[..((i + 1) * key.ChunkChars)]
                    : text.Substring(i * key.ChunkChars, key.ChunkChars);
                var chunk = Tail(Delta(Role(), "content", piece), i == key.Chunks - 1 ? contentFinish : null);
                events.Add(chunk);
                if (duplicates.Contains(i))
                {
                    events.Add(chunk);
                }
            }
        }

        var argumentLength = 0;
        foreach (var call in tools)
        {
            argumentLength += call.Arguments.Length;
            var fragments = Pieces(call.Arguments, key.ChunkChars).ToList();
            var isLastCall = call.Index == tools.Count - 1;
            var first = new StringBuilder("{").Append(Role()).Append("\"tool_calls\":[{\"index\":").Append(call.Index)
                .Append(",\"id\":\"").Append(call.Id).Append("\",\"type\":\"function\",\"function\":{\"name\":\"")
                .Append(call.Name).Append("\",\"arguments\":\"\"}}]}");
            events.Add(Tail(first.ToString(), isLastCall && fragments.Count == 0 ? "tool_calls" : null));
            for (var f = 0; f < fragments.Count; f++)
            {
                var piece = new StringBuilder("{\"tool_calls\":[{\"index\":").Append(call.Index).Append(",\"function\":{\"arguments\":");
                JsonText.AppendQuoted(piece, fragments[f]).Append("}}]}");
                events.Add(Tail(piece.ToString(), isLastCall && f == fragments.Count - 1 ? "tool_calls" : null));
            }
        }

        var content = key.Stutter == StutterKind.Tricky ? EmulatorText.TrickyPrefix + text : text;
        var messageContent = key.Chunks == 0 && key.Stutter != StutterKind.Tricky && tools.Count > 0 ? null : content;
        var finish = tools.Count > 0 ? "tool_calls" : "stop";
        return new StreamPlan(
            [.. events],
            Choices(messageContent, key.Reasoning > 0 ? reasoning : null, tools, finish),
            Tokens(content.Length + reasoning.Length + argumentLength));
    }

    private static HashSet<int> PickDuplicates(PlanKey key)
    {
        var indices = Enumerable.Range(0, key.Chunks).ToArray();
        var count = Math.Min(key.StutterCount, key.Chunks);
        var random = new SplitMix(SplitMix.Mix(key.Seed, DuplicateSalt, key.Chunks));
        for (var i = 0; i < count; i++)
        {
            var j = i + random.Next(indices.Length - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        return [.. indices.Take(count)];
    }

    private static IEnumerable<string> Pieces(string text, int size)
    {
        for (var start = 0; start < text.Length; start += size)
        {
            yield return text.Substring(start, Math.Min(size, text.Length - start));
        }
    }

    private static string Delta(string role, string field, string value)
    {
        var delta = new StringBuilder("{").Append(role).Append('"').Append(field).Append("\":");
        return JsonText.AppendQuoted(delta, value).Append('}').ToString();
    }

    private static byte[] Tail(string delta, string? finishReason)
    {
        var finish = finishReason is null ? "null" : $"\"{finishReason}\"";
        return Encoding.UTF8.GetBytes($"[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}");
    }

    private static byte[] Choices(string? content, string? reasoning, IReadOnlyList<EmulatorToolCall> tools, string finishReason)
    {
        var message = new StringBuilder("[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
        if (content is null)
        {
            message.Append("null");
        }
        else
        {
            JsonText.AppendQuoted(message, content);
        }

        if (reasoning is not null)
        {
            JsonText.AppendQuoted(message.Append(",\"reasoning_content\":"), reasoning);
        }

        if (tools.Count > 0)
        {
            message.Append(",\"tool_calls\":[");
            foreach (var call in tools)
            {
                message.Append(call.Index == 0 ? "" : ",")
                    .Append("{\"id\":\"").Append(call.Id).Append("\",\"type\":\"function\",\"function\":{\"name\":\"")
                    .Append(call.Name).Append("\",\"arguments\":");
                JsonText.AppendQuoted(message, call.Arguments).Append("}}");
            }

            message.Append(']');
        }

        message.Append("},\"finish_reason\":\"").Append(finishReason).Append("\"}]");
        return Encoding.UTF8.GetBytes(message.ToString());
    }

    private static int Tokens(int characters) => (characters + 3) / 4;
}
