using System.Xml.Linq;
using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Tests.Report;

public sealed class LatencyChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Chart_is_svg_with_a_line_per_path_in_each_panel()
    {
        var svg = XDocument.Parse(LatencyChart.Render(SampleResults.Create().Latency!, "One request at a time"));

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Equal("880", svg.Root.Attribute("width")!.Value);
        var lines = svg.Descendants(Svg + "polyline").Select(p => p.Attribute("data-path")!.Value).ToArray();
        Assert.Equal(["direct", "nginx", "proxy", "direct", "nginx", "proxy"], lines);
        Assert.All(svg.Descendants(Svg + "polyline"), p => Assert.Equal(6, p.Attribute("points")!.Value.Split(' ').Length));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToArray();
        Assert.Contains("non-streaming, total time (ms, log scale)", texts);
        Assert.Contains("streaming, total time (ms, log scale)", texts);
        Assert.Contains("0.1", texts);
        Assert.Contains("1", texts);
        Assert.Contains("10", texts);
        Assert.Contains("p99.9", texts);
    }

    [Fact]
    public void Higher_latency_is_drawn_higher()
    {
        var svg = XDocument.Parse(LatencyChart.Render(SampleResults.Create().Latency!, "t"));
        var firstPanel = svg.Descendants(Svg + "polyline").Take(3)
            .ToDictionary(p => p.Attribute("data-path")!.Value, p => double.Parse(p.Attribute("points")!.Value.Split(' ')[0].Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));

        // SVG y grows downwards, so the slowest path (nginx, 0.26 ms) has the smallest y.
        Assert.True(firstPanel["nginx"] < firstPanel["proxy"]);
        Assert.True(firstPanel["proxy"] < firstPanel["direct"]);
    }

    [Theory]
    [InlineData(0.25, 0.9, 0.1, 1)]
    [InlineData(0.3, 60, 0.1, 100)]
    [InlineData(1, 10, 1, 10)]
    [InlineData(2, 2, 1, 10)]
    public void Log_axis_spans_whole_decades(double min, double max, double low, double high)
    {
        var axis = LatencyChart.LogAxis(min, max);

        Assert.Equal(low, axis.Low, 9);
        Assert.Equal(high, axis.High, 9);
    }
}
