using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Tests;

public sealed class ScenarioParserTests
{
    [Fact]
    public void Every_key_is_read()
    {
        var scenario = ScenarioParser.Parse(
            " chunks=3; chunk_chars=4;delay_ms=5;first_byte_ms=6;seed=-7;usage=true;tools=2;reasoning=1;echo=false;stutter=duplicate:2;fault=stall_mid:1:250;fault_rate=0.25;retry_after=9 ;",
            Scenario.Default);

        Assert.Equal(
            Scenario.Default with
            {
                Chunks = 3, ChunkChars = 4, DelayMs = 5, FirstByteMs = 6, Seed = -7, Usage = true, Tools = 2, Reasoning = 1,
                Stutter = StutterKind.Duplicate, StutterCount = 2, Fault = FaultType.StallMid, FaultText = "stall_mid:1:250",
                FaultAfter = 1, StallMs = 250, FaultRate = 0.25, RetryAfter = 9,
            },
            scenario);
    }

    [Theory]
    [InlineData("fault=503", "Status", 503, 0)]
    [InlineData("fault=418", "Status", 418, 0)]
    [InlineData("fault=429_quota", "Quota429", 0, 0)]
    [InlineData("fault=403_quota", "Quota403", 0, 0)]
    [InlineData("fault=reset_before", "ResetBefore", 0, 0)]
    [InlineData("fault=reset_mid:4", "ResetMid", 0, 4)]
    [InlineData("fault=no_done", "NoDone", 0, 0)]
    [InlineData("fault=malformed:2", "Malformed", 0, 2)]
    [InlineData("fault=503;fault=none", "None", 503, 0)]
    public void Fault_values_parse(string text, string fault, int status, int after)
    {
        var scenario = ScenarioParser.Parse(text, Scenario.Default);

        Assert.Equal((Enum.Parse<FaultType>(fault), status, after), (scenario.Fault, scenario.FaultStatus, scenario.FaultAfter));
    }

    [Theory]
    [InlineData("echo", true)]
    [InlineData("echo=true", true)]
    [InlineData("echo=0", false)]
    public void Bare_flag_means_true(string text, bool echo)
    {
        Assert.Equal(echo, ScenarioParser.Parse(text, Scenario.Default).Echo);
    }

    [Theory]
    [InlineData("chunks=-1", "bad value '-1' for scenario key 'chunks'")]
    [InlineData("chunk_chars=0", "bad value '0' for scenario key 'chunk_chars'")]
    [InlineData("fault=600", "bad value '600' for scenario key 'fault'")]
    [InlineData("fault=reset_mid", "bad value 'reset_mid' for scenario key 'fault'")]
    [InlineData("fault=stall_mid:1", "bad value 'stall_mid:1' for scenario key 'fault'")]
    [InlineData("stutter=cumulative", "bad value 'cumulative' for scenario key 'stutter'")]
    [InlineData("fault_rate=1.5", "bad value '1.5' for scenario key 'fault_rate'")]
    [InlineData("usage=maybe", "bad value 'maybe' for scenario key 'usage'")]
    [InlineData("speed=9", "unknown scenario key 'speed'")]
    [InlineData("chunks=1000000;chunk_chars=1000", "chunks (or reasoning) x chunk_chars must be at most 16000000")]
    public void Bad_values_are_named(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ScenarioParser.Parse(text, Scenario.Default));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Fault_rate_draw_repeats_for_the_same_seed_and_request_number()
    {
        var scenario = Scenario.Default with { Fault = FaultType.Status, FaultStatus = 503, FaultRate = 0.5 };

        var first = Enumerable.Range(1, 200).Select(n => ChatEndpoint.FaultApplies(scenario, n)).ToList();
        var again = Enumerable.Range(1, 200).Select(n => ChatEndpoint.FaultApplies(scenario, n)).ToList();

        Assert.Equal(first, again);
        Assert.InRange(first.Count(hit => hit), 70, 130);
        Assert.False(ChatEndpoint.FaultApplies(scenario with { FaultRate = 0 }, 1));
        Assert.All(Enumerable.Range(1, 50), n => Assert.True(ChatEndpoint.FaultApplies(scenario with { FaultRate = 1 }, n)));
    }
}
