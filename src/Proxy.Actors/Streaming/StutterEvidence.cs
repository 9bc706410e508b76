using System.Buffers;
using System.Text;

namespace Proxy.Actors.Streaming;

/// <summary>
/// The factors that turn "this content starts with the text before it" into a confidence.
/// A clean delta that begins with the whole text sent before it means the text would contain that
/// text twice in a row; how surprising that is depends on what the repeated text is: nothing for
/// runs of one character ("=", "==", "\n\n"), little for short or periodic text ("ha", "haha",
/// "谢谢"), a lot for ordinary words ("Hello", "你好"). Arrival timing adjusts it (a resent event
/// comes at once), and so does what a snapshot adds when the stream's opening is markup or a
/// one-letter word ("##" then "## Title", "I" then "I would").
/// </summary>
internal static class StutterEvidence
{
    private const int SampleRunes = 64;
    private const int MaxInformation = 16;
    private const double HanWeight = 2;

    // A Chinese character the language does not double ("这", "很"): "这这" is as unlikely as a
    // word written twice.
    private const double UndoubledHanWeight = 3;

    // Short words English writes twice in a row: laughter, sounds, "no-no", "so-so", "go go".
    private static readonly string[] DoubledWords =
        ["ha", "he", "hi", "ho", "hm", "mm", "no", "so", "la", "na", "yo", "ya", "ta", "ah", "oh", "eh", "uh", "um", "aw", "ow", "go", "do", "pa", "ma", "bo"];

    private static readonly SearchValues<byte> AsciiLetters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // What code puts after a keyword or a name and prose seldom does: calls, blocks, indexes,
    // snake_case, assignments, statement ends, generics, "x: int".
    private static readonly SearchValues<byte> CodeMarks = SearchValues.Create("(){}[]_=;<>:"u8);

    // How far into what the repeat adds a code mark is looked for.
    private const int CodeMarkReach = 32;

    // Keywords and built-ins that open a line of code, in lower case as the languages write them.
    private static readonly string[] CodeKeywords =
    [
        "def", "class", "import", "from", "return", "print", "async", "await", "lambda", "with", "yield", "raise", "elif", "else",
        "for", "while", "if", "fn", "let", "const", "var", "function", "func", "package", "pub", "use", "impl", "struct", "enum",
        "trait", "match", "public", "private", "protected", "static", "void", "int", "using", "namespace", "interface", "type",
        "export", "try", "catch", "switch", "case", "val", "object", "console",
    ];

    /// <summary>
    /// Confidence contributed by one content event, <paramref name="content"/>, that starts with
    /// <paramref name="reference"/> (the text so far, or the last held snapshot) and came
    /// <paramref name="gap"/> after the previous content event. <paramref name="firstRepeat"/>: nothing
    /// is held and the text so far is the stream's first content event alone, so this content is the
    /// first to repeat the stream's opening.
    /// </summary>
    public static double StepScore(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> content, TimeSpan gap, bool firstRepeat, RepairOptions options)
    {
        var score = Information(reference);
        var growth = content[reference.Length..];
        if (score == 0 && IsUndoubledHan(reference, growth))
        {
            score = UndoubledHanWeight;
        }

        if (growth.IsEmpty)
        {
            // The same text again: a resent event arrives at once, a repeated token at token pace.
            score += gap <= options.DuplicateWindow ? 0.5 : -0.5;
        }
        else if (firstRepeat && score < options.ConfirmScore
            && (IsMarkupRun(reference) || IsShortWord(reference, growth) || IsWordRunningIntoCode(reference, growth))
            && BreaksRepetition(content, reference.Length, IsCodeFence(reference)))
        {
            // The stream's opening markup ("##", "```", "**", eight spaces) repeated by the very next
            // content and continued with something else: read as deltas, the text would double the
            // run ("####", "``````", "****") and go on to other text, where a model emits the run as
            // one token. What the snapshot adds is the evidence. Not for one character ("*", "*Bold**"
            // is bold text; "谢", "谢你" is 谢谢), not for a run built up ("=", "==", or " ", "  ", " "
            // then "    sum"), and not once something is held ("*", "**", "**Sure"). The same for a
            // one-letter word: "I", "I would" read as deltas is "II would", and for a short word
            // followed by a space or a mark: "if", "if (a" would be "ifif (a"; "x", "x = len(a)" would be "xx = len(a)".
            // And for a short word or part of one that the repeat runs on into code: "de", "def parse_header("
            // would be "dedef parse_header("; "fn ", "fn main() {" would be "fn fn main() {".
            score += Math.Min(Information(growth), options.ConfirmScore);
        }

        return score;
    }

    /// <summary>
    /// How surprising it would be for a clean stream to repeat <paramref name="text"/> right after
    /// itself, measured on characters (not bytes) of its shortest period: letters count 1 (a Han
    /// ideograph, a syllable with its meaning, 2), other visible characters 1 next to letters and
    /// 0.5 on their own ("100100", "=-=-"), white space 0; a period of one distinct character ("=",
    /// "\n", "我") counts 0. A capitalised word ("Hi", "We") doubled without a space ("HiHi") is rarer
    /// still and gets a bonus. At most 16.
    /// </summary>
    public static double Information(ReadOnlySpan<byte> text)
    {
        Span<int> runes = stackalloc int[SampleRunes];
        var count = 0;
        while (count < SampleRunes && !text.IsEmpty)
        {
            Rune.DecodeFromUtf8(text, out var rune, out var consumed);
            runes[count++] = rune.Value;
            text = text[consumed..];
        }

        var period = runes[..SmallestPeriod(runes[..count])];
        if (period.IsEmpty || CountDistinctVisible(period) <= 1)
        {
            return 0;
        }

        double letters = 0, others = 0;
        foreach (var value in period)
        {
            var rune = new Rune(value);
            if (IsHan(value))
            {
                letters += HanWeight;
            }
            else if (Rune.IsLetter(rune))
            {
                letters++;
            }
            else if (!Rune.IsWhiteSpace(rune))
            {
                others++;
            }
        }

        // Symbols and digits between letters ("In 😀", "你好。", "**The") make a repeat as unlikely as
        // letters do; on their own they repeat easily when they are two kinds ("=-", "100", "```\n/"),
        // not when they are three or more ("[[1, 2", "_ => {}").
        var score = letters + (letters > 0 || CountDistinctVisible(period) >= 3 ? others : others / 2);

        if (period.Length >= 2 && IsAsciiUpper(period[0]) && AllAsciiLetters(period))
        {
            score += 1.5;
        }

        return Math.Min(score, MaxInformation);
    }

    /// <summary>
    /// One or two ASCII letters ("if", "x", "We") followed by a space or a mark that ends a word
    /// ("if (", "x =", "We,"); not a word English doubles ("ha", "no", "so": "haha!", "nono,"). "I"
    /// and "A" also before a small letter: "II am" and "AAn apple" are not how text starts. A capital
    /// followed by a capital ("L", "LM") may begin an acronym and is left alone.
    /// </summary>
    private static bool IsShortWord(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> growth)
    {
        if (reference.Length > 2 || reference.ContainsAnyExcept(AsciiLetters))
        {
            return false;
        }

        if (reference is [(byte)'I' or (byte)'A'] && growth[0] is >= (byte)'a' and <= (byte)'z')
        {
            return true;
        }

        if (growth[0] is not ((byte)' ' or (byte)'(' or (byte)')' or (byte)'=' or (byte)':' or (byte)';' or (byte)',' or (byte)'!' or (byte)'?'))
        {
            return false;
        }

        return !IsDoubledWord(reference);
    }

    /// <summary>
    /// One to three ASCII letters, a word with the space that ends it ("fn ") or the start of one
    /// ("de", "pr"), that the repeat runs on into a line of code opening with a keyword: the word goes
    /// on into the keyword ("de" then "def parse_header(", "pr" then "print(x)") or is it, and the next
    /// word follows the space ("fn " then "fn main() {"), and a code mark comes soon after. Read as
    /// deltas that is "dedef parse_header(", "prprint(x)", "fn fn main() {": nothing is doubled before
    /// a keyword. Names and words may open by doubling their first letters ("rerender(", "dedent(",
    /// "mimic(", "cocoa"), which is why the repeat must open with a keyword and not just any name.
    /// Not one letter running on into a name, keyword or not ("l" then "llama(", "p" then "pprint(x)"),
    /// and not a word English doubles ("ha", "no").
    /// </summary>
    private static bool IsWordRunningIntoCode(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> growth)
    {
        var spaced = reference.Length > 1 && reference[^1] == (byte)' ';
        var word = spaced ? reference[..^1] : reference;
        if (word.Length is 0 or > 3 || word.ContainsAnyExcept(AsciiLetters) || IsDoubledWord(word))
        {
            return false;
        }

        var next = growth[0];
        var nameGoesOn = next is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_';
        if (spaced ? next is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' : word.Length < 2 || !nameGoesOn)
        {
            return false;
        }

        return growth[..Math.Min(growth.Length, CodeMarkReach)].ContainsAny(CodeMarks)
            && OpensWithKeyword(reference, growth, word.Length);
    }

    /// <summary>The repeated content, <paramref name="reference"/> then <paramref name="growth"/>, opens with a
    /// keyword longer than <paramref name="wordLength"/> letters (or as long, when the reference ends with
    /// its space), followed by a character that is not part of a name.</summary>
    private static bool OpensWithKeyword(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> growth, int wordLength)
    {
        Span<byte> head = stackalloc byte[16];
        var length = Math.Min(head.Length, reference.Length + growth.Length);
        var fromReference = Math.Min(length, reference.Length);
        reference[..fromReference].CopyTo(head);
        growth[..(length - fromReference)].CopyTo(head[fromReference..]);
        head = head[..length];
        foreach (var keyword in CodeKeywords)
        {
            var longEnough = keyword.Length > wordLength || (keyword.Length == wordLength && reference.Length > wordLength);
            if (!longEnough || head.Length <= keyword.Length
                || !Ascii.Equals(head[..keyword.Length], keyword))
            {
                continue;
            }

            var after = head[keyword.Length];
            if (after is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_'))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsDoubledWord(ReadOnlySpan<byte> word)
    {
        foreach (var doubled in DoubledWords)
        {
            if (Ascii.EqualsIgnoreCase(word, doubled))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <paramref name="reference"/> is one Chinese character (or its run) that Chinese does not write
    /// twice before <paramref name="growth"/>: "这" then "这个" would read "这这个"; "谢" then "谢你" is
    /// 谢谢你, and "模" then "模糊糊" is 模模糊糊 (see <see cref="HanReduplication"/>).
    /// </summary>
    private static bool IsUndoubledHan(ReadOnlySpan<byte> reference, ReadOnlySpan<byte> growth)
    {
        if (Rune.DecodeFromUtf8(reference, out var first, out var size) != OperationStatus.Done || !IsHan(first.Value))
        {
            return false;
        }

        for (var rest = reference[size..]; !rest.IsEmpty; rest = rest[size..])
        {
            if (Rune.DecodeFromUtf8(rest, out var next, out size) != OperationStatus.Done || next != first)
            {
                return false;
            }
        }

        return !HanReduplication.MayDouble(first.Value, growth);
    }

    /// <summary>At least two characters and no letter: "##", "```", "**", "    ", "}}", "[[1, 2".</summary>
    private static bool IsMarkupRun(ReadOnlySpan<byte> text)
    {
        var count = 0;
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf8(text, out var rune, out var consumed);
            if (Rune.IsLetter(rune))
            {
                return false;
            }

            count++;
            text = text[consumed..];
        }

        return count >= 2;
    }

    /// <summary>
    /// Whether the first byte <paramref name="content"/> adds to its first <paramref name="length"/>
    /// bytes leaves their repetition at once ("##" then "## Hi", "```" then "```py"), rather than
    /// running on ("ha" then "hahaha"). A run that ends its line ("=====" then "=====\n// x",
    /// eight spaces then "        \nif") may be a longer run built up, and such lines are common;
    /// not so a code fence (<paramref name="fence"/>: "```" then "```\nx = 1"), which is written
    /// three backticks long, not six.
    /// </summary>
    private static bool BreaksRepetition(ReadOnlySpan<byte> content, int length, bool fence)
    {
        var period = SmallestPeriod(content[..length]);
        return content.Length > length && content[length] != content[length - period]
            && (fence || content[length] is not ((byte)'\n' or (byte)'\r'));
    }

    /// <summary>Text that opens with a code fence: "```", "~~~", "```\n    ", "```\n}\n".</summary>
    private static bool IsCodeFence(ReadOnlySpan<byte> text) =>
        (text.StartsWith("```"u8) || text.StartsWith("~~~"u8)) && (text.Length == 3 || text[3] != text[0]);

    /// <summary>The smallest p such that items[i] == items[i - p] for every i &gt;= p (KMP border).</summary>
    public static int SmallestPeriod<T>(ReadOnlySpan<T> items)
        where T : IEquatable<T>
    {
        if (items.Length <= 1)
        {
            return items.Length;
        }

        Span<int> border = items.Length <= 256 ? stackalloc int[items.Length] : new int[items.Length];
        border[0] = 0;
        var k = 0;
        for (var i = 1; i < items.Length; i++)
        {
            while (k > 0 && !items[i].Equals(items[k]))
            {
                k = border[k - 1];
            }

            if (items[i].Equals(items[k]))
            {
                k++;
            }

            border[i] = k;
        }

        return items.Length - border[^1];
    }

    /// <summary>
    /// For a snapshot upstream: whether <paramref name="candidate"/> is a revised snapshot of
    /// <paramref name="text"/> (a few edits near the end) rather than a delta, and where in the
    /// candidate the old text ends. A banded edit distance keeps this cheap; it runs only at the
    /// one event where a snapshot stream stops extending the text exactly.
    /// </summary>
    public static bool TryAlignRevision(ReadOnlySpan<byte> text, ReadOnlySpan<byte> candidate, out int end)
    {
        end = 0;
        if (text.Length < 16 || candidate.Length * 4 < text.Length * 3)
        {
            return false;
        }

        var maxEdits = Math.Clamp(text.Length / 8, 2, 8);
        var distance = PrefixEditDistance(text, candidate, maxEdits, out end);
        return distance <= maxEdits;
    }

    /// <summary>
    /// Smallest edit distance between <paramref name="text"/> and any prefix of <paramref name="candidate"/>,
    /// searched within a band of <paramref name="band"/>; returns band + 1 when larger. <paramref name="end"/>
    /// is the length of the best prefix (the longest among equals).
    /// </summary>
    public static int PrefixEditDistance(ReadOnlySpan<byte> text, ReadOnlySpan<byte> candidate, int band, out int end)
    {
        var width = (2 * band) + 1;
        Span<int> previous = width <= 64 ? stackalloc int[width] : new int[width];
        Span<int> current = width <= 64 ? stackalloc int[width] : new int[width];
        var infinity = band + 1;

        // Row i covers candidate positions j in [i - band, i + band]; slot = j - i + band.
        for (var s = 0; s < width; s++)
        {
            var j = s - band;
            previous[s] = j < 0 ? infinity : Math.Min(j, infinity);
        }

        for (var i = 1; i <= text.Length; i++)
        {
            var rowMin = infinity;
            for (var s = 0; s < width; s++)
            {
                var j = i + s - band;
                if (j < 0 || j > candidate.Length)
                {
                    current[s] = infinity;
                    continue;
                }

                var best = infinity;
                if (j == 0)
                {
                    best = Math.Min(i, infinity);
                }
                else
                {
                    // Diagonal (previous row, same slot), deletion from text (previous row, slot + 1),
                    // insertion into text (this row, slot - 1).
                    best = previous[s] + (text[i - 1] == candidate[j - 1] ? 0 : 1);
                    if (s + 1 < width)
                    {
                        best = Math.Min(best, previous[s + 1] + 1);
                    }

                    if (s > 0)
                    {
                        best = Math.Min(best, current[s - 1] + 1);
                    }
                }

                current[s] = Math.Min(best, infinity);
                rowMin = Math.Min(rowMin, current[s]);
            }

            if (rowMin >= infinity)
            {
                end = 0;
                return infinity;
            }

            var swap = previous;
            previous = current;
            current = swap;
        }

        var result = infinity;
        end = 0;
        for (var s = 0; s < width; s++)
        {
            var j = text.Length + s - band;
            if (j >= 0 && j <= candidate.Length && previous[s] <= result)
            {
                result = previous[s];
                end = j;
            }
        }

        return result;
    }

    private static int CountDistinctVisible(ReadOnlySpan<int> runes)
    {
        var distinct = 0;
        for (var i = 0; i < runes.Length; i++)
        {
            if (Rune.IsWhiteSpace(new Rune(runes[i])) || runes[..i].Contains(runes[i]))
            {
                continue;
            }

            distinct++;
        }

        return distinct;
    }

    private static bool IsHan(int rune) => rune is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2FA1F);

    private static bool IsAsciiUpper(int rune) => rune is >= 'A' and <= 'Z';

    private static bool AllAsciiLetters(ReadOnlySpan<int> runes)
    {
        foreach (var r in runes)
        {
            if (r is not ((>= 'A' and <= 'Z') or (>= 'a' and <= 'z')))
            {
                return false;
            }
        }

        return true;
    }
}
