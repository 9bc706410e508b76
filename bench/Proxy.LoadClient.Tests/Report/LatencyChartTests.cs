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
        Assert.Equal("840", svg.Root.Attribute("width")!.Value);
        var lines = svg.Descendants(Svg + "polyline").Select(p => p.Attribute("data-path")!.Value).ToArray();
        Assert.Equal(["direct", "nginx", "proxy", "direct", "nginx", "proxy"], lines);
        Assert.All(svg.Descendants(Svg + "polyline"), p => Assert.Equal(6, p.Attribute("points")!.Value.Split(' ').Length));
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToArray();
        Assert.Contains("non-streaming, total time (ms)", texts);
        Assert.Contains("streaming, total time (ms)", texts);
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
    [InlineData(0.9, 1.0, 0.2)]
    [InlineData(0.23, 0.25, 0.05)]
    [InlineData(4.2, 5.0, 1.0)]
    [InlineData(12, 15, 5)]
    [InlineData(0, 1, 0.2)]
    public void Axis_ends_on_a_round_step(double max, double top, double step)
    {
        var (axisTop, axisStep) = LatencyChart.NiceAxis(max);

        Assert.Equal(top, axisTop, 9);
        Assert.Equal(step, axisStep, 9);
    }
}
