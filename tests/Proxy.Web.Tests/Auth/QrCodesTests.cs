using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

public sealed class QrCodesTests
{
    private const string Url = "https://chat.qwen.ai/authorize?user_code=ABCD-1234";

    [Fact]
    public void Terminal_code_is_a_square_of_half_blocks_with_a_quiet_zone()
    {
        var lines = QrCodes.ToTerminal(Url).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var width = lines[0].Length;
        Assert.All(lines, line => Assert.Equal(width, line.Length));
        Assert.All(lines, line => Assert.Matches("^[ ▀▄█]+$", line));

        // Two module rows per text line; light modules (the quiet zone too) are drawn as blocks.
        Assert.InRange(lines.Length, (width / 2) - 1, (width / 2) + 1);
        Assert.Equal(new string('█', width), lines[0]);
    }

    [Fact]
    public void Different_urls_give_different_codes_and_the_same_url_the_same()
    {
        Assert.Equal(QrCodes.ToTerminal(Url), QrCodes.ToTerminal(Url));
        Assert.NotEqual(QrCodes.ToTerminal(Url), QrCodes.ToTerminal(Url + "X"));
    }

    [Fact]
    public void Svg_code_is_an_svg_document_and_its_data_uri_decodes_to_it()
    {
        var svg = QrCodes.ToSvg(Url);
        var uri = QrCodes.ToSvgDataUri(Url);

        Assert.Contains("<svg", svg);
        Assert.EndsWith("</svg>", svg.TrimEnd());
        Assert.StartsWith("data:image/svg+xml;base64,", uri);
        Assert.Equal(svg, Encoding.UTF8.GetString(Convert.FromBase64String(uri["data:image/svg+xml;base64,".Length..])));
    }
}
