using QRCoder;

namespace Proxy.Web.Auth;

/// <summary>QR codes of the login URL: Unicode half blocks for a terminal, SVG for the login page.</summary>
internal static class QrCodes
{
    /// <summary>
    /// Two modules per character line (▀ ▄ █), with a quiet zone; light modules are drawn, so the
    /// code reads correctly on the usual light-on-dark terminal.
    /// </summary>
    public static string ToTerminal(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.L);
        using var code = new AsciiQRCode(data);
        return code.GetGraphicSmall(drawQuietZones: true, invert: false, endOfLine: "\n");
    }

    /// <summary>A self-contained SVG document.</summary>
    public static string ToSvg(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new SvgQRCode(data);
        return code.GetGraphic(6);
    }

    /// <summary>The SVG as a <c>data:</c> URI, for JSON clients and <c>img</c> tags.</summary>
    public static string ToSvgDataUri(string text) =>
        "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(ToSvg(text)));
}
