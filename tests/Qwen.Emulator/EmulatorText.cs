using System.Collections.Concurrent;
using System.Text;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator;

/// <summary>The deterministic text, reasoning and tool calls the emulator streams for a seed.</summary>
public static class EmulatorText
{
    /// <summary>What the <c>stutter=tricky</c> stream sends before the text: "\n", "\n", "", "=", "==", "".</summary>
    public const string TrickyPrefix = "\n\n===";

    private const ulong ContentSalt = 0x436F6E74656E7421UL;
    private const ulong ReasoningSalt = 0x5265617330E1A3B5UL;
    private const ulong ToolSalt = 0x546F6F6C43616C6CUL;

    // Plain words plus the awkward ones: JSON escapes, non-ASCII, operators that are prefixes of each other.
    private static readonly string[] Words =
    [
        "the", "proxy", "streams", "every", "delta", "in", "order", "and", "never", "drops", "a",
        "token", "Qwen", "answers", "with", "chunks", "of", "text", "while", "client", "reads",
        "café", "naïve", "\"quoted\"", "x = 1;", "a == b", "=>", "C:\\path", "{ok}", "<tag>", "100%",
        "tab\there", "emoji-free", "über", "—", "i++", "[0]", "if", "return", "42",
    ];

    private static readonly string[] ToolNames =
        ["read_file", "search_code", "run_shell", "write_file", "list_directory", "get_weather"];

    private static readonly ConcurrentDictionary<(ulong Salt, int Seed, int Length), string> Cache = new();

    /// <summary>
    /// The true content of a scenario with this seed: exactly <paramref name="chunks"/> x
    /// <paramref name="chunkChars"/> characters; content chunk i is characters [i*chunkChars, (i+1)*chunkChars).
    /// </summary>
    public static string For(int seed, int chunks, int chunkChars) => Generate(ContentSalt, seed, Length(chunks, chunkChars));

    /// <summary>The <c>reasoning_content</c> a <c>reasoning=N</c> scenario streams (N pieces of chunkChars).</summary>
    public static string Reasoning(int seed, int chunks, int chunkChars) => Generate(ReasoningSalt, seed, Length(chunks, chunkChars));

    /// <summary>The tool calls a <c>tools=N</c> scenario streams, in index order.</summary>
    public static IReadOnlyList<EmulatorToolCall> ToolCalls(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var calls = new EmulatorToolCall[count];
        var firstName = (int)(SplitMix.Mix(seed, ToolSalt, -1) % (ulong)ToolNames.Length);
        for (var i = 0; i < count; i++)
        {
            var random = new SplitMix(SplitMix.Mix(seed, ToolSalt, i));
            var id = $"call_{random.Next():x16}{(uint)random.Next():x8}";
            var name = ToolNames[(firstName + i) % ToolNames.Length];
            var file = Words[random.Next(Words.Length)];
            var arguments = new StringBuilder()
                .Append("{\"path\":\"src/module_").Append(i).Append(".cs\",")
                .Append("\"line\":").Append(1 + random.Next(400)).Append(',')
                .Append("\"pattern\":\"").Append(JsonText.Escape(file)).Append("\",")
                .Append("\"options\":{\"recursive\":").Append(random.Next(2) == 0 ? "true" : "false")
                .Append(",\"limit\":").Append(10 + random.Next(90)).Append("}}")
                .ToString();
            calls[i] = new EmulatorToolCall(i, id, name, arguments);
        }

        return calls;
    }

    /// <summary>
    /// The text a correct client assembles for a scenario string (header grammar), e.g. what a
    /// proper stutter repair yields: <see cref="For"/>, or <see cref="TrickyPrefix"/> + For for tricky.
    /// Not defined for <c>echo</c> (the text is the request body).
    /// </summary>
    public static string ForScenario(string? scenario, int defaultSeed = 42)
    {
        var parsed = ScenarioParser.Parse(scenario, Scenario.Default with { Seed = defaultSeed });
        if (parsed.Echo)
        {
            throw new ArgumentException("An echo scenario streams the request body.", nameof(scenario));
        }

        var text = For(parsed.Seed, parsed.Chunks, parsed.ChunkChars);
        return parsed.Stutter == StutterKind.Tricky ? TrickyPrefix + text : text;
    }

    private static int Length(int chunks, int chunkChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chunks);
        ArgumentOutOfRangeException.ThrowIfNegative(chunkChars);
        return checked(chunks * chunkChars);
    }

    private static string Generate(ulong salt, int seed, int length) =>
        Cache.Count < 4096 && length <= 65_536
            ? Cache.GetOrAdd((salt, seed, length), static key => Build(key.Salt, key.Seed, key.Length))
            : Build(salt, seed, length);

    private static string Build(ulong salt, int seed, int length)
    {
        var random = new SplitMix(SplitMix.Mix(seed, salt, 0));
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
        {
            if (text.Length > 0)
            {
                text.Append(random.Next(8) == 0 ? '\n' : ' ');
            }

            text.Append(Words[random.Next(Words.Length)]);
        }

        return text.ToString(0, length);
    }
}
