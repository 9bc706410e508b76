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

    // Clauses of ordinary Chinese prose. Words follow each other as in real text, so a word right
    // after itself appears only where the language doubles it ("谢谢", "慢慢", "看看").
    private static readonly string[] CjkClauses =
    [
        "你好，我是通义千问", "很高兴为你服务", "流式响应可以让用户更快看到结果", "这个问题可以分成三步来解决",
        "首先，我们需要读取配置文件", "然后根据返回的数据更新界面", "如果请求失败，系统会自动重试", "请慢慢看看下面的例子",
        "模型会逐个生成新的词语", "代码的第一行导入了需要的库", "谢谢你的耐心等待", "我们常常把缓存放在内存里",
        "服务器在一秒钟内返回了响应", "这样做的好处是延迟更低", "当然，你也可以使用命令行工具", "总结一下",
        "数据库连接需要及时释放", "下面是一个简单的示例", "这取决于你的具体需求", "每个请求都有唯一的编号",
        "天气好的时候，大家都喜欢出去走走", "中文和英文混合时要注意空格", "客户端断开后，上游请求也应取消", "好的",
    ];

    private static readonly string[] CjkPunctuation = ["\u3002", "\uff0c", "\uff01", "\uff1f", "\uff1a", "\n"];

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
        string? previous = null;
        for (var i = 0; i < lines; i++)
        {
            previous = PickAnother(rng, CodeLines, previous);
            sb.Append(previous).Append(rng.Next(5) == 0 ? "\n\n" : "\n");
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
        string? previous = null;
        var n = rng.Next(1, 8);
        for (var i = 0; i < n; i++)
        {
            previous = PickAnother(rng, CjkClauses, previous);
            sb.Append(previous);
            sb.Append(i == n - 1 ? "\u3002" : Pick(rng, CjkPunctuation));
        }

        return sb.ToString();
    }

    public static string Pick(Random rng, string[] items) => items[rng.Next(items.Length)];

    /// <summary>
    /// A pick that is not <paramref name="previous"/> unless that is short: answers repeat "}", a
    /// blank line or "    " at once, but hardly a whole sentence or line of code.
    /// </summary>
    private static string PickAnother(Random rng, string[] items, string? previous)
    {
        while (true)
        {
            var item = Pick(rng, items);
            if (item != previous || item.Trim().Length <= 2)
            {
                return item;
            }
        }
    }

    private static string Capitalize(string word) => word.Length > 0 && char.IsLower(word[0]) ? char.ToUpperInvariant(word[0]) + word[1..] : word;
}
