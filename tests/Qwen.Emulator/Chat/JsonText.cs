using System.Globalization;
using System.Text;

namespace Qwen.Emulator.Chat;

/// <summary>
/// The emulator's one JSON string escaping, so transcripts are exact: <c>"</c> <c>\</c> and control
/// characters are escaped (\n \r \t \b \f, else \u00XX), everything else is written as raw UTF-8.
/// </summary>
internal static class JsonText
{
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        Append(builder, value);
        return builder.ToString();
    }

    /// <summary>Appends the value as a quoted JSON string.</summary>
    public static StringBuilder AppendQuoted(StringBuilder builder, string value) =>
        Append(builder.Append('"'), value).Append('"');

    private static StringBuilder Append(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        return builder;
    }
}
