using System.Text;
using Proxy.LoadClient.Soak;

namespace Proxy.LoadClient.Tests.Soak;

public sealed class SoakMixTests
{
    [Fact]
    public void Draw_follows_the_shares()
    {
        var mix = new SoakMix(streamShare: 0.7, faultRate: 0.1, cancelRate: 0.05, ["reset_mid", "503"]);
        var random = new Random(7);

        var kinds = Enumerable.Range(0, 100_000).Select(_ => mix.Next(random)).ToArray();

        Assert.InRange(kinds.Count(k => k.Fault is not null), 9_700, 10_300);
        Assert.InRange(kinds.Count(k => k.Cancel), 4_300, 4_700); // 90% x 5%
        Assert.InRange(kinds.Count(k => k is { Cancel: false, Stream: true }), 66_500, 67_500); // 70% of the 95.5% not cancelled
        Assert.InRange(kinds.Count(k => k.Fault == "reset_mid:4"), 4_800, 5_200);
        Assert.All(kinds.Where(k => k.Cancel), k => Assert.Equal((true, null), (k.Stream, k.Fault)));
    }

    [Fact]
    public void Same_seed_same_sequence()
    {
        var mix = new SoakMix(0.7, 0.08, 0.05, ["reset_mid", "reset_before", "500", "503", "429"]);
        var a = new Random(3);
        var b = new Random(3);

        Assert.Equal(Enumerable.Range(0, 500).Select(_ => mix.Next(a).Name), Enumerable.Range(0, 500).Select(_ => mix.Next(b).Name));
    }

    [Fact]
    public void Without_faults_or_cancels_every_request_is_clean()
    {
        var mix = new SoakMix(0.5, 0, 0, []);
        var random = new Random(1);

        Assert.All(Enumerable.Range(0, 1000).Select(_ => mix.Next(random)), k => Assert.Equal((null, false), (k.Fault, k.Cancel)));
        Assert.Throws<ArgumentException>(() => new SoakMix(0.5, 0.1, 0, []));
    }

    [Fact]
    public void Describes_itself_for_the_report()
    {
        var mix = new SoakMix(0.7, 0.08, 0.05, ["reset_mid", "429"]);

        Assert.Equal("8% faulted (reset_mid:4, 429), 4.6% streams cancelled by the client, the rest clean; 70% of faulted and clean requests stream", mix.Describe());
        Assert.Equal(["stream", "non-streaming", "stream, cancelled", "stream, fault reset_mid", "stream, fault 429",
            "non-streaming, fault reset_mid", "non-streaming, fault 429"], mix.Kinds.Select(k => k.Name));
    }

    [Theory]
    [InlineData("reset_mid", true)]
    [InlineData("reset_before", true)]
    [InlineData("429", true)]
    [InlineData("503", true)]
    [InlineData("200", false)]
    [InlineData("stall_mid", false)]
    [InlineData("+503", false)]
    public void Known_faults(string fault, bool known) => Assert.Equal(known, SoakMix.IsKnownFault(fault));

    [Fact]
    public async Task Faulted_request_carries_its_scenario_in_the_message_for_the_relay()
    {
        var options = BenchOptions.Parse(["--model", "m", "--api-key", "k"]);
        var kind = new SoakKind("stream, fault 503", true, "503", false);
        using var message = kind.Request(options).Create(new Uri("http://127.0.0.1:1/v1/chat/completions"));
        var body = await message.Content!.ReadAsStringAsync();

        Assert.Equal("""{"model":"m","messages":[{"role":"user","content":"Say hello. [soak-scenario:fault=503]"}],"stream":true}""", body);
        Assert.Equal("fault=503", FaultRelay.FindScenario(Encoding.UTF8.GetBytes(body)));
        Assert.True(new SoakKind("s", true, "reset_mid:4", false).FaultsInsideStream);
        Assert.False(new SoakKind("n", false, "reset_mid:4", false).FaultsInsideStream);
        Assert.False(kind.FaultsInsideStream);
    }
}
