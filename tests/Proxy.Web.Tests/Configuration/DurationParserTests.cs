using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("5x")]
    [InlineData("-5s")]
    [InlineData("5 m")]
    [InlineData("1..2s")]
    public void Nonsense_is_not_a_duration(string text)
    {
        Assert.False(DurationParser.TryParse(text, out _));
    }

    [Theory]
    [InlineData(300, "5m")]
    [InlineData(5400, "1h30m")]
    [InlineData(45, "45s")]
    [InlineData(0.25, "250ms")]
    [InlineData(0, "0s")]
    public void Format_is_compact_go_style(double seconds, string expected)
    {
        Assert.Equal(expected, DurationParser.Format(TimeSpan.FromSeconds(seconds)));
    }
}
