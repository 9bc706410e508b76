using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace Proxy.TestKit;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4: fails the test on any line that
/// does not parse, a sample without a declared family, a family declared twice, or a histogram
/// whose buckets are not cumulative or whose +Inf bucket differs from its count.
/// </summary>
public static partial class PrometheusText
{
    [GeneratedRegex("""^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$""")]
    private static partial Regex Help();

    [GeneratedRegex("""^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$""")]
    private static partial Regex Type();

    [GeneratedRegex("""^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?)\})? (\S+)(?: -?\d+)?$""")]
    private static partial Regex Sample();

    /// <summary>Samples keyed by <c>name{labels}</c> exactly as written.</summary>
    public static Dictionary<string, double> Parse(string text)
    {
        Assert.EndsWith("\n", text);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n')[..^1])
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Assert.Matches(Help(), line);
                continue;
            }

            if (line.StartsWith('#'))
            {
                var type = Type().Match(line);
                Assert.True(type.Success, $"bad TYPE line: {line}");
                Assert.True(types.TryAdd(type.Groups[1].Value, type.Groups[2].Value), $"family declared twice: {line}");
                continue;
            }

            var sample = Sample().Match(line);
            Assert.True(sample.Success, $"bad sample line: '{line}'");
            var name = sample.Groups[1].Value;
            Assert.True(FamilyOf(name, types) is not null, $"sample without a TYPE: {line}");
            var value = sample.Groups[3].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var key = sample.Groups[2].Success ? $"{name}{{{sample.Groups[2].Value}}}" : name;
            Assert.True(samples.TryAdd(key, value), $"sample written twice: {line}");
        }

        foreach (var (family, type) in types.Where(t => t.Value == "histogram"))
        {
            CheckHistogram(family, samples);
        }

        return samples;
    }

    private static string? FamilyOf(string name, Dictionary<string, string> types)
    {
        if (types.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(name[..^suffix.Length], out var type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static void CheckHistogram(string family, Dictionary<string, double> samples)
    {
        var counts = samples.Where(s => s.Key == family + "_count" || s.Key.StartsWith(family + "_count{", StringComparison.Ordinal));
        foreach (var (countKey, count) in counts)
        {
            var labels = countKey.Length > family.Length + 6 ? countKey[(family.Length + 7)..^1] : string.Empty;
            var prefix = family + "_bucket{" + (labels.Length > 0 ? labels + "," : string.Empty) + "le=\"";
            var buckets = samples
                .Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(s => (Le: s.Key[prefix.Length..^2], s.Value))
                .Select(b => (Le: b.Le == "+Inf" ? double.PositiveInfinity : double.Parse(b.Le, CultureInfo.InvariantCulture), b.Value))
                .OrderBy(b => b.Le)
                .ToList();
            Assert.NotEmpty(buckets);
            Assert.Equal(double.PositiveInfinity, buckets[^1].Le);
            Assert.Equal(count, buckets[^1].Value);
            for (var i = 1; i < buckets.Count; i++)
            {
                Assert.True(buckets[i].Value >= buckets[i - 1].Value, $"{family} buckets are not cumulative");
            }

            Assert.True(samples.ContainsKey(family + "_sum" + (labels.Length > 0 ? "{" + labels + "}" : string.Empty)));
        }
    }
}
