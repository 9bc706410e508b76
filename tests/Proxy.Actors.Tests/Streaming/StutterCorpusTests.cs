using System.Globalization;
using System.Text;
using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Streaming.Support;
using Xunit.Abstractions;

namespace Proxy.Actors.Tests.Streaming;

/// <summary>
/// The repair against a generated corpus (see <see cref="StreamCorpus"/>), 9,000 streams for each of
/// ninety seeds (810,000): every clean stream must come out byte for byte, and at least 99.9% of the
/// streams that stutter the way the protocol describes (the first events, or every event, cumulative
/// snapshots) must give the client the true text. The corpus also resends the opening event at once,
/// a failure beyond the documented ones; its openings are drawn like every stream's, so it includes
/// exact repeats of "```", "##" or "**" that clean streams in the corpus also send, and its floor is
/// lower. Stuttered streams whose repeats carry evidence (see <see cref="CorpusStream.OpeningIsAmbiguous"/>)
/// must be repaired at 99.9% as well. The figures, per pattern, are written to the test output.
/// </summary>
public sealed class StutterCorpusTests(ITestOutputHelper output)
{
    // Ninety seeds: a rule that keeps one seed's clean streams intact can still change another's.
    // The repair's rules were shaped on the misses of the first thirty; the sixty from 1000 on were
    // kept out of that and gave the same figures.
    private static readonly int[] Seeds = [20261121, .. Enumerable.Range(1, 29), .. Enumerable.Range(1000, 60)];

    private static readonly (StreamPattern Pattern, int Count)[] Mix =
    [
        (StreamPattern.Clean, 3000),
        (StreamPattern.CleanPrefixLike, 1500),
        (StreamPattern.CumulativeFirstN, 2500),
        (StreamPattern.CumulativeWhole, 1000),
        (StreamPattern.DuplicatedStart, 1000),
    ];

    [Fact]
    public void Corpus_clean_streams_are_unchanged_and_stuttered_streams_are_repaired()
    {
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        int clean = 0, cleanUnchanged = 0, stuttered = 0, stutteredRepaired = 0;
        int decidable = 0, decidableRepaired = 0, forcedFailures = 0, snapshots = 0, snapshotsRepaired = 0, resent = 0, resentRepaired = 0;
        var failures = new List<string>();
        var perPattern = new StringBuilder();
        foreach (var (pattern, count) in Mix)
        {
            var ok = 0;
            foreach (var seed in Seeds)
            for (var i = 0; i < count; i++)
            {
                var stream = StreamCorpus.Generate(seed, i, pattern);
                var (outputs, text, repair) = Run(stream);
                bool good;
                if (stream.IsClean)
                {
                    good = outputs.Count == stream.Events.Count && outputs.Zip(stream.Events).All(p => p.First.AsSpan().SequenceEqual(p.Second.Payload));
                    clean++;
                    cleanUnchanged += good ? 1 : 0;
                }
                else
                {
                    good = text == stream.TrueText && NonContentKept(stream, outputs);
                    stuttered++;
                    stutteredRepaired += good ? 1 : 0;
                    if (pattern != StreamPattern.DuplicatedStart)
                    {
                        snapshots++;
                        snapshotsRepaired += good ? 1 : 0;
                    }
                    else
                    {
                        resent++;
                        resentRepaired += good ? 1 : 0;
                    }

                    if (!stream.OpeningIsAmbiguous)
                    {
                        decidable++;
                        decidableRepaired += good ? 1 : 0;
                    }

                    forcedFailures += !good && repair.ForcedReleases > 0 ? 1 : 0;
                }

                ok += good ? 1 : 0;
                if (!good && (stream.IsClean || !stream.OpeningIsAmbiguous) && failures.Count < 40)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{pattern} seed {seed} #{i} [{stream.Shape}] mode={repair.Mode} forced={repair.ForcedReleases} reason={repair.LastReason}\n  want: {Show(stream.TrueText)}\n  got:  {Show(text)}"));
                }
            }

            perPattern.Append(CultureInfo.InvariantCulture, $" {pattern}={ok}/{count * Seeds.Length}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus seeds={string.Join(',', Seeds)}: clean unchanged {cleanUnchanged}/{clean} ({Percent(cleanUnchanged, clean)}), "
            + $"stuttered repaired {stutteredRepaired}/{stuttered} ({Percent(stutteredRepaired, stuttered)}), "
            + $"of them snapshot streams {snapshotsRepaired}/{snapshots} ({Percent(snapshotsRepaired, snapshots)}) "
            + $"and resent openings {resentRepaired}/{resent} ({Percent(resentRepaired, resent)}), "
            + $"with a decidable opening {decidableRepaired}/{decidable} ({Percent(decidableRepaired, decidable)}); "
            + $"failures after a hold ran out {forcedFailures};{perPattern}; "
            + $"cpu {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F1} s"));
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        Assert.Equal(clean, cleanUnchanged);
        Assert.True(decidableRepaired * 1000L >= decidable * 999L, $"repaired {decidableRepaired}/{decidable} with a decidable opening");
        Assert.True(snapshotsRepaired * 1000L >= snapshots * 999L, $"repaired {snapshotsRepaired}/{snapshots} snapshot streams");
        Assert.True(resentRepaired * 100L >= resent * 98L, $"repaired {resentRepaired}/{resent} resent openings");
        Assert.True(stutteredRepaired * 1000L >= stuttered * 995L, $"repaired {stutteredRepaired}/{stuttered}");
    }

    private static string Percent(int part, int whole) => string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:F3}%");

    private static (List<byte[]> Outputs, string Text, StutterRepair Repair) Run(CorpusStream stream)
    {
        var driver = new RepairDriver();
        foreach (var e in stream.Events)
        {
            driver.Send(e.Payload, e.Gap);
        }

        driver.Complete();
        return (driver.Sink.Events, driver.ClientText, driver.Repair);
    }

    /// <summary>One event out per event in, and every event without text exactly as it came.</summary>
    private static bool NonContentKept(CorpusStream stream, List<byte[]> outputs)
    {
        if (outputs.Count != stream.Events.Count)
        {
            return false;
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var input = stream.Events[i].Payload;
            if (ChunkInspector.TryInspect(input, out var info) && !info.HasText && !input.AsSpan().SequenceEqual(outputs[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Show(string text) => text.Length > 70 ? text[..70].Replace("\n", "\\n", StringComparison.Ordinal) + "…" : text.Replace("\n", "\\n", StringComparison.Ordinal);
}
