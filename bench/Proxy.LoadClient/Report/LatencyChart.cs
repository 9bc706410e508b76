using System.Globalization;
using System.Net;
using System.Text;

namespace Proxy.LoadClient.Report;

/// <summary>
/// An SVG line chart of the one-at-a-time latency percentiles, a panel per request kind and a line
/// per path. Written by hand so the harness needs no plotting tool.
/// </summary>
internal static class LatencyChart
{
    private const int PanelWidth = 440;
    private const int PanelHeight = 300;
    private const int Left = 60;
    private const int Top = 50;
    private const int PlotWidth = 330;
    private const int PlotHeight = 200;

    private static readonly double[] GridFactors = [1, 2, 5];

    private static readonly Dictionary<string, string> Colors = new(StringComparer.Ordinal)
    {
        ["direct"] = "#7f7f7f",
        ["nginx"] = "#2ca02c",
        ["proxy"] = "#1f77b4",
    };

    public static string Render(LatencyResult latency, string title)
    {
        var kinds = latency.Rows.Select(r => r.Request).Distinct().ToArray();
        var width = Math.Max(1, kinds.Length) * PanelWidth;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{PanelHeight + 30}" viewBox="0 0 {width} {PanelHeight + 30}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{PanelHeight + 30}" fill="white"/>""").AppendLine();
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{Escape(title)}</text>""").AppendLine();
        for (var k = 0; k < kinds.Length; k++)
        {
            Panel(svg, k * PanelWidth, kinds[k], latency.Rows.Where(r => r.Request == kinds[k] && r.Total.Count > 0).ToArray());
        }

        Legend(svg, latency.Rows.Select(r => r.Path).Distinct().ToArray(), PanelHeight + 15);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int x0, string kind, IReadOnlyList<LatencyRow> rows)
    {
        var percents = Stats.Distribution.ChartPercentiles;
        var values = rows.SelectMany(r => r.Total.Points).Select(p => p.Value).Where(v => !double.IsNaN(v) && v > 0).ToArray();
        var (low, high) = LogAxis(values.DefaultIfEmpty(1).Min(), values.DefaultIfEmpty(1).Max());
        double X(int i) => x0 + Left + (percents.Count == 1 ? 0 : i * (double)PlotWidth / (percents.Count - 1));
        double Y(double v) => Top + PlotHeight - ((Math.Log10(v) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) * PlotHeight);

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x0 + Left + (PlotWidth / 2)}" y="{Top - 12}" text-anchor="middle">{Escape(kind)}, total time (ms, log scale)</text>""").AppendLine();
        for (var decade = low; decade < high * 1.001; decade *= 10)
        {
            foreach (var factor in GridFactors)
            {
                var v = decade * factor;
                if (v > high * 1.001)
                {
                    break;
                }

                var y = F(Y(v));
                var major = factor == 1;
                svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x0 + Left}" y1="{y}" x2="{x0 + Left + PlotWidth}" y2="{y}" stroke="{(major ? "#c8c8c8" : "#ececec")}"/>""").AppendLine();
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x0 + Left - 6}" y="{y}" dy="4" text-anchor="end"{(major ? "" : " fill=\"#888\" font-size=\"10\"")}>{F(v, "0.####")}</text>""").AppendLine();
            }
        }

        for (var i = 0; i < percents.Count; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{F(X(i))}" y="{Top + PlotHeight + 16}" text-anchor="middle">p{F(percents[i], "0.#")}</text>""").AppendLine();
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x0 + Left}" y="{Top}" width="{PlotWidth}" height="{PlotHeight}" fill="none" stroke="#888"/>""").AppendLine();
        foreach (var row in rows)
        {
            var color = Colors.GetValueOrDefault(row.Path, "#d62728");
            var points = row.Total.Points.Select((p, i) => (X: X(i), V: p.Value)).Where(p => !double.IsNaN(p.V) && p.V > 0)
                .Select(p => (p.X, Y: Y(p.V))).ToArray();
            svg.Append(CultureInfo.InvariantCulture,
                $"""<polyline data-path="{Escape(row.Path)}" fill="none" stroke="{color}" stroke-width="2" points="{string.Join(' ', points.Select(p => $"{F(p.X)},{F(p.Y)}"))}"/>""").AppendLine();
            foreach (var p in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"""<circle cx="{F(p.X)}" cy="{F(p.Y)}" r="2.5" fill="{color}"/>""").AppendLine();
            }
        }
    }

    private static void Legend(StringBuilder svg, IReadOnlyList<string> paths, int y)
    {
        var x = Left;
        foreach (var path in paths)
        {
            var color = Colors.GetValueOrDefault(path, "#d62728");
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x}" y1="{y}" x2="{x + 20}" y2="{y}" stroke="{color}" stroke-width="3"/>""").AppendLine();
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + 26}" y="{y}" dy="4">{Escape(path)}</text>""").AppendLine();
            x += 90;
        }
    }

    /// <summary>A log axis from the decade at or below <paramref name="min"/> to the decade at or above <paramref name="max"/>.</summary>
    internal static (double Low, double High) LogAxis(double min, double max)
    {
        var low = Math.Pow(10, Math.Floor(Math.Log10(min)));
        var high = Math.Pow(10, Math.Ceiling(Math.Log10(max)));
        return high > low ? (low, high) : (low, low * 10);
    }

    private static string F(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
