using System.Buffers;
using System.Text;
using System.Text.Json;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Tests.Streaming;

public sealed class JsonStringTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("a\"b\\c\n\r\t\b\f/")]
    [InlineData("caf\u00e9 \u4e2d\u6587 \U0001F600")]
    [InlineData("")]
    public void Unescape_matches_System_Text_Json(string value)
    {
        foreach (var raw in RawForms(value))
        {
            var dest = new byte[raw.Length];
            var n = JsonString.Unescape(raw, dest);

            Assert.Equal(value, Encoding.UTF8.GetString(dest, 0, n));
        }
    }

    [Fact]
    public void Lone_surrogate_unescapes_to_replacement_character()
    {
        var raw = "a\\ud83db"u8;
        var dest = new byte[raw.Length];

        var n = JsonString.Unescape(raw, dest);

        Assert.Equal("a\uFFFDb", Encoding.UTF8.GetString(dest, 0, n));
    }

    [Fact]
    public void Offsets_map_onto_escape_boundaries()
    {
        // "a\n" + U+00E9 (2 UTF-8 bytes, 6 raw) + U+1F600 (4 UTF-8 bytes, 12 raw) + "z"
        var raw = "a\\n\\u00e9\\ud83d\\ude00z"u8;

        Assert.True(JsonString.TryMapOffset(raw, 0, out var r0));
        Assert.True(JsonString.TryMapOffset(raw, 2, out var r2));
        Assert.True(JsonString.TryMapOffset(raw, 4, out var r4));
        Assert.True(JsonString.TryMapOffset(raw, 8, out var r8));
        Assert.True(JsonString.TryMapOffset(raw, 9, out var r9));
        Assert.False(JsonString.TryMapOffset(raw, 3, out _));
        Assert.False(JsonString.TryMapOffset(raw, 6, out _));

        Assert.Equal([0, 3, 9, 21, 22], new[] { r0, r2, r4, r8, r9 });
    }

    [Fact]
    public void Escaped_output_round_trips_through_a_json_parser()
    {
        var value = "q\"\\\n\u0001 caf\u00e9 \U0001F600";
        var output = new ArrayBufferWriter<byte>();

        JsonString.WriteEscaped(Encoding.UTF8.GetBytes(value), output);

        var json = "\"" + Encoding.UTF8.GetString(output.WrittenSpan) + "\"";
        Assert.Equal(value, JsonSerializer.Deserialize<string>(json));
        Assert.Equal("q\\\"\\\\\\n\\u0001 café 😀", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static IEnumerable<byte[]> RawForms(string value)
    {
        yield return Encoding.UTF8.GetBytes(Tests.Streaming.Support.ChunkJson.Quote(value, asciiOnly: true)[1..^1]);
        yield return Encoding.UTF8.GetBytes(Tests.Streaming.Support.ChunkJson.Quote(value)[1..^1]);
    }
}
