using System.Globalization;
using System.Text;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>How an upstream delivered a stream's text.</summary>
internal enum StreamPattern
{
    /// <summary>Proper deltas.</summary>
    Clean,

    /// <summary>Proper deltas that start with prefix-like pieces ("=", "==", "\n", "\n\n", "ha", "haha").</summary>
    CleanPrefixLike,

    /// <summary>The first N content values are snapshots of the text so far, then deltas.</summary>
    CumulativeFirstN,

    /// <summary>Every content value is the whole text so far (DashScope native without incremental output).</summary>
    CumulativeWhole,

    /// <summary>The opening content event is sent again at once (also combined with opening snapshots).</summary>
    DuplicatedStart,
}

/// <summary>One generated stream: the payloads with their arrival gaps, and the text a client must end up with.</summary>
internal sealed record CorpusStream(
    int Index, StreamPattern Pattern, string Shape, string TrueText, IReadOnlyList<CorpusEvent> Events, string Opening, int Snapshots)
{
    public bool IsClean => Pattern is StreamPattern.Clean or StreamPattern.CleanPrefixLike;

    /// <summary>
    /// Every text the stream repeats (a snapshot extended by the next one, or a resent first event)
    /// is short, letterless or itself repetitive. A clean stream can start the same way ("=" "==",
    /// "ha" "haha", "可以" "可以…", "\n" "\n"), so the bytes alone cannot tell them apart.
    /// </summary>
    public bool OpeningIsAmbiguous => !IsClean && !RepeatedBases.Any(IsInformative);

    /// <summary>The snapshot texts that a later content event repeated or extended.</summary>
    public IReadOnlyList<string> RepeatedBases { get; init; } = [];

    /// <summary>
    /// A piece a clean stream would hardly send twice in a row: its shortest repeating unit has at
    /// least three letters ("Hello", "你好。", "**The"), not "=", "\n\n", "ha", "可以", "100".
    /// </summary>
    public static bool IsInformative(string piece)
    {
        var period = piece.Length;
        for (var p = 1; p < piece.Length; p++)
        {
            if (piece.AsSpan(p).SequenceEqual(piece.AsSpan(0, piece.Length - p)))
            {
                period = p;
                break;
            }
        }

        var unit = piece[..period];
        return unit.Count(char.IsLetter) >= 3 && unit.Where(c => !char.IsWhiteSpace(c)).Distinct().Count() >= 2;
    }
}

internal sealed record CorpusEvent(byte[] Payload, TimeSpan Gap);

/// <summary>
/// Generates seeded streams. Text: prose with repeats, code with "==" and blank lines, CJK, or a
/// prefix-like opening. Deltas: whole tokens gathered to 5-20 bytes (85%), 21-40 (10%) or a single
/// token (5%), with empty deltas sprinkled in (5%). Shapes: role-only or role+"" or role+text first chunk or none,
/// reasoning chunks, unknown fields, tool calls, final empty chunk or finish on the last content,
/// usage tail with empty choices, ASCII-only or raw UTF-8 escaping. Timing: a per-stream pace of
/// 5-60 ms scaled 0.3-2x per event, 10% bursts (0 ms), 2% pauses (100-1500 ms); duplicates 0-1 ms.
/// </summary>
internal static class StreamCorpus
{
    private static readonly string[][] PrefixFamilies =
    [
        ["=", "==", "==="], ["\n", "\n\n"], ["-", "--", "---"], ["#", "##", "###"], ["*", "**"], ["`", "``", "```"],
        [" ", "  ", "    "], ["ha", "haha", "hahaha"], ["1", "10", "100"], ["\n", "\n", "\n"], ["=", "="], ["ab", "ab"],
        ["no", "no"], [".", "..", "..."], ["!", "!!"], ["0", "00"], ["x", "xx", "xxx"],
    ];

    public static CorpusStream Generate(int seed, int index, StreamPattern pattern)
    {
        // A fixed mix (HashCode.Combine is randomized per process, which would make runs differ).
        var rng = new Random(unchecked((seed * 1_000_003) + (index * 7919) + ((int)pattern * 104_729)));
        List<string> deltas;
        do
        {
            var text = rng.Next(10) switch
            {
                < 5 => CorpusText.Prose(rng),
                < 8 => CorpusText.Code(rng),
                _ => CorpusText.Chinese(rng),
            };
            deltas = Chunk(text, rng);
            if (pattern == StreamPattern.CleanPrefixLike)
            {
                var family = PrefixFamilies[rng.Next(PrefixFamilies.Length)];
                var opening = new List<string>();
                var count = rng.Next(2, 6);
                for (var i = 0; i < count; i++)
                {
                    opening.Add(family[rng.Next(family.Length)]);
                }

                // Make sure at least one piece starts with the text before it ("=" then "==").
                opening[1] = opening[0] + (rng.Next(2) == 0 ? opening[0] : "");
                deltas.InsertRange(0, opening);
            }
        }
        while (deltas.Count < 3);

        // Empty deltas between pieces (never first, so the opening stays what it is).
        for (var i = deltas.Count - 1; i > 0; i--)
        {
            if (rng.Next(20) == 0)
            {
                deltas.Insert(i, "");
            }
        }

        var asciiOnly = rng.Next(2) == 0;
        var shape = new StringBuilder(asciiOnly ? "ascii" : "utf8");
        var events = new List<CorpusEvent>();
        var pace = 5 + rng.NextDouble() * 55;

        TimeSpan Gap()
        {
            var r = rng.NextDouble();
            if (r < 0.10)
            {
                return TimeSpan.Zero;
            }

            if (r < 0.12)
            {
                return TimeSpan.FromMilliseconds(100 + rng.NextDouble() * 1400);
            }

            return TimeSpan.FromMilliseconds(pace * (0.3 + rng.NextDouble() * 1.7));
        }

        void Add(string payload, TimeSpan? gap = null) => events.Add(new CorpusEvent(Encoding.UTF8.GetBytes(payload), gap ?? Gap()));

        var head = rng.Next(5);
        shape.Append(CultureInfo.InvariantCulture, $",head{head}");
        switch (head)
        {
            case 0: Add(ChunkJson.Role()); break;
            case 1: Add(ChunkJson.Content("", role: "assistant")); break;
            case 2: break; // the first content chunk carries the role
            case 3:
                Add(ChunkJson.Role());
                for (var i = rng.Next(1, 5); i > 0; i--)
                {
                    Add(ChunkJson.Reasoning(rng.Next(2) == 0 ? "Let me think" : " about it."));
                }

                break;
            default: break; // no role at all
        }

        var snapshots = pattern switch
        {
            StreamPattern.CumulativeFirstN => rng.Next(2, 11),
            StreamPattern.CumulativeWhole => int.MaxValue,
            StreamPattern.DuplicatedStart when rng.Next(10) < 3 => rng.Next(2, 6),
            _ => 0,
        };
        var duplicates = pattern == StreamPattern.DuplicatedStart ? rng.Next(1, 3) : 0;
        if (snapshots > 0 && snapshots < int.MaxValue)
        {
            shape.Append(CultureInfo.InvariantCulture, $",N{snapshots}");
        }

        var finish = rng.Next(5); // 0-2 final empty chunk, 3 finish on last content, 4 none
        var unknownAt = rng.Next(20) == 0 ? rng.Next(deltas.Count) : -1;
        var sofar = new StringBuilder();
        var bases = new List<string>();
        for (var i = 0; i < deltas.Count; i++)
        {
            sofar.Append(deltas[i]);
            var value = i < snapshots ? sofar.ToString() : deltas[i];
            if (((i > 0 && i < snapshots) || (i == 0 && duplicates > 0)) && sofar.Length > 0)
            {
                bases.Add(i == 0 ? value : sofar.ToString(0, sofar.Length - deltas[i].Length));
            }

            var last = i == deltas.Count - 1;
            var reason = last && finish == 3 ? "stop" : null;
            var payload = i == unknownAt
                ? ChunkJson.Unknown(value)
                : ChunkJson.Content(value, reason, asciiOnly, role: i == 0 && head == 2 ? "assistant" : null);
            Add(payload);
            if (i == 0)
            {
                for (var d = 0; d < duplicates; d++)
                {
                    Add(payload, TimeSpan.FromMilliseconds(rng.NextDouble()));
                }
            }
        }

        if (rng.Next(10) == 0)
        {
            shape.Append(",tools");
            Add(ChunkJson.ToolCall(0, "call_1", "get_weather", ""));
            Add(ChunkJson.ToolCall(0, null, null, "{\"city\":"));
            Add(ChunkJson.ToolCall(0, null, null, "\"Paris\"}"));
        }

        if (finish <= 2)
        {
            Add(ChunkJson.Finish(rng.Next(4) == 0 ? "length" : "stop"));
        }

        if (rng.Next(5) < 2)
        {
            Add(ChunkJson.Usage(12, deltas.Count));
        }

        shape.Append(CultureInfo.InvariantCulture, $",finish{finish}");
        var firstPiece = deltas.First(d => d.Length > 0);
        return new CorpusStream(index, pattern, shape.ToString(), string.Concat(deltas), events, firstPiece, snapshots)
        {
            RepeatedBases = bases.Where(b => b.Length > 0).ToList(),
        };
    }

    /// <summary>
    /// Cuts text into deltas the way a model streams it: whole tokens (a word with its leading space,
    /// one punctuation mark, a run of spaces, a line break, one or two CJK characters, an emoji),
    /// gathered until the delta reaches a target size: 85% 5-20 bytes, 10% 21-40, 5% a single token.
    /// </summary>
    private static List<string> Chunk(string text, Random rng)
    {
        var tokens = Tokenize(text, rng);
        var deltas = new List<string>();
        var i = 0;
        while (i < tokens.Count)
        {
            var r = rng.Next(20);
            var target = r < 17 ? rng.Next(5, 21) : r < 19 ? rng.Next(21, 41) : 0;
            var delta = new StringBuilder(tokens[i++]);
            while (i < tokens.Count && Encoding.UTF8.GetByteCount(delta.ToString()) < target)
            {
                delta.Append(tokens[i++]);
            }

            deltas.Add(delta.ToString());
        }

        return deltas;
    }

    private static List<string> Tokenize(string text, Random rng)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var c = text[i];
            if (c == '\n')
            {
                i++;
            }
            else if (c == ' ' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]) && !IsCjk(text[i + 1]))
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'') && !IsCjk(text[i]))
                {
                    i++;
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                while (i < text.Length && text[i] is ' ' or '\t')
                {
                    i++;
                }

                i = Math.Max(i, start + 1);
            }
            else if (IsCjk(c))
            {
                i += i + 1 < text.Length && IsCjk(text[i + 1]) && rng.Next(2) == 0 ? 2 : 1;
            }
            else if (char.IsHighSurrogate(c))
            {
                i += 2;
            }
            else if (char.IsLetterOrDigit(c))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'') && !IsCjk(text[i]))
                {
                    i++;
                }
            }
            else
            {
                // Punctuation: runs of the same mark ("==", "```", "...") are one token.
                while (i < text.Length && text[i] == c)
                {
                    i++;
                }
            }

            tokens.Add(text[start..i]);
        }

        return tokens;
    }

    private static bool IsCjk(char c) => c is >= '\u3000' and <= '\u9fff' or >= '\uff00' and <= '\uffef';
}
