using System.Text;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>Seeded text of the kinds a chat model streams: prose with repeats, code, markdown, CJK.</summary>
internal static class CorpusText
{
    private static readonly string[] Openers =
    [
        "Sure", "Here", "The", "I", "In", "To", "Yes", "No", "Hello", "Certainly", "Let's", "This", "It", "A", "Hi",
        "Great question", "Of course", "Okay", "Well", "First", "When", "If", "You", "We", "Good",
    ];

    private static readonly string[] Words =
    [
        "the", "a", "an", "of", "to", "and", "in", "is", "it", "that", "for", "on", "with", "as", "was", "be", "by",
        "this", "are", "or", "from", "at", "which", "but", "not", "have", "you", "can", "will", "all", "there",
        "function", "value", "return", "stream", "token", "request", "server", "client", "buffer", "event", "data",
        "simple", "example", "following", "because", "however", "quickly", "important", "result", "between",
        "caf\u00e9", "na\u00efve", "r\u00e9sum\u00e9", "\u00fcber", "fa\u00e7ade", "\u4e2d\u6587", "\u6570\u636e", "\U0001F600", "\u2014",
        "\"quoted\"", "back\\slash", "C:\\temp", "tab\tbed", "50%", "$100", "x = y", "a == b", "i++", "<div>", "&amp;",
    ];

    private static readonly string[] Repeats =
    [
        "very very", "no, no, no", "ha ha", "hahaha", "really really", "so so", "bye bye", "well, well", "yes yes",
        "again and again", "more and more", "la la la", "tick tock tick tock", "...", "!!", "??", "----",
    ];

    private static readonly string[] CodeLines =
    [
        "if (a == b) {", "if a == b:", "    return x == y", "const ok = a === b;", "while (i != n) i++;", "}", "{", "",
        "def main():", "    pass", "import os", "from typing import List", "    print(\"hello\\n\")", "x = 1", "y == 2",
        "for (var i = 0; i < n; i++)", "    sum += i;", "return sum;", "// comment", "# comment", "/* block */",
        "public static void Main(string[] args)", "let s = 'it''s';", "assert x == 1, \"x\"", "    ", "        ",
        "=====", "-----", "a = b == c", "s = \"\\\\\"", "match x {", "    _ => {}", "}}", "[[1, 2], [3, 4]]",
    ];

    private static readonly string[] Cjk =
    [
        "\u4f60\u597d", "\u4e16\u754c", "\u6570\u636e", "\u6d41\u5f0f", "\u54cd\u5e94", "\u6a21\u578b", "\u7684", "\u662f",
        "\u3002", "\uff0c", "\u6211\u4eec", "\u53ef\u4ee5", "\u4ee3\u7801", "\u95ee\u9898",
    ];

    public static string Prose(Random rng)
    {
        var sb = new StringBuilder();
        var paragraphs = rng.Next(1, 4);
        for (var p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                sb.Append(rng.Next(4) == 0 ? "\n" : "\n\n");
            }

            if (rng.Next(6) == 0)
            {
                sb.Append(rng.Next(2) == 0 ? "## " : "**");
            }

            var sentences = rng.Next(1, 5);
            for (var s = 0; s < sentences; s++)
            {
                sb.Append(s == 0 && p == 0 ? Pick(rng, Openers) : Capitalize(Pick(rng, Words)));
                var words = rng.Next(3, 18);
                for (var w = 0; w < words; w++)
                {
                    sb.Append(' ');
                    sb.Append(rng.Next(12) == 0 ? Pick(rng, Repeats) : Pick(rng, Words));
                    if (rng.Next(10) == 0)
                    {
                        sb.Append(',');
                    }
                }

                sb.Append(rng.Next(5) switch { 0 => "!", 1 => "?", 2 => ":", _ => "." });
                if (rng.Next(8) == 0)
                {
                    sb.Append("\n- item ").Append(rng.Next(10)).Append("\n- item ").Append(rng.Next(10));
                }

                sb.Append(' ');
            }
        }

        return sb.ToString().TrimEnd();
    }

    public static string Code(Random rng)
    {
        var sb = new StringBuilder();
        var fenced = rng.Next(3) != 0;
        if (fenced)
        {
            if (rng.Next(2) == 0)
            {
                sb.Append(Pick(rng, Openers)).Append(" is the code:\n\n");
            }

            sb.Append("```").Append(rng.Next(3) switch { 0 => "python", 1 => "csharp", _ => "" }).Append('\n');
        }

        var lines = rng.Next(2, 30);
        for (var i = 0; i < lines; i++)
        {
            sb.Append(Pick(rng, CodeLines)).Append(rng.Next(5) == 0 ? "\n\n" : "\n");
        }

        if (fenced)
        {
            sb.Append("```");
        }

        return sb.ToString();
    }

    public static string Chinese(Random rng)
    {
        var sb = new StringBuilder();
        var n = rng.Next(3, 40);
        for (var i = 0; i < n; i++)
        {
            sb.Append(Pick(rng, Cjk));
        }

        return sb.ToString();
    }

    public static string Pick(Random rng, string[] items) => items[rng.Next(items.Length)];

    private static string Capitalize(string word) => word.Length > 0 && char.IsLower(word[0]) ? char.ToUpperInvariant(word[0]) + word[1..] : word;
}
