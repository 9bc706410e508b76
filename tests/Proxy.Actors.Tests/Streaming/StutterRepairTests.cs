using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Streaming.Support;

namespace Proxy.Actors.Tests.Streaming;

public sealed class StutterRepairTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Theory]
    [InlineData("=|==| x")]
    [InlineData("\n|\n|\n\n|a")]
    [InlineData("|Hi|| there|")]
    [InlineData("ha|haha|hahaha|hahahaha|hahahahaha|!")]
    [InlineData("ha|ha|ha|ha|ha|ha|ha")]
    [InlineData("#|##| Title")]
    [InlineData("Hello| Hello| Hello")]
    [InlineData("1.|1.5| is")]
    [InlineData("    |        |return")]
    [InlineData("*|*Bold**| text")]
    [InlineData("\u8c22|\u8c22\u4f60\u7684|\u8010\u5fc3")]
    [InlineData("=====|=====\n// comment|\nx")]
    [InlineData("        |        \nif (a)| {")]
    [InlineData("L|LM| answers")]
    [InlineData(" |  | |    sum += i;|\n")]
    [InlineData("-|--|-|---- Title| y")]
    [InlineData("ha|haha| yes")]
    [InlineData("\u603b\u7ed3\u4e00\u4e0b|\uff1a|\u597d")]
    [InlineData("\u770b|\u770b\u8fd9\u4e2a|\u4f8b\u5b50")] // 看看这个例子: 看 doubles freely
    [InlineData("\u6a21|\u6a21\u7cca\u7cca\u7684|\u6837\u5b50")] // 模模糊糊的样子: only in its four-character form
    [InlineData("\u5ba2|\u5ba2\u6c14\u6c14\u5730|\u8bf4")] // 客客气气地说
    [InlineData("ha|ha!| yes")]
    [InlineData("no|no, no|!")]
    [InlineData("```|```|`|\nx")]
    [InlineData("the|the| end")]
    [InlineData("co|coa is warm|.")] // cocoa: prose opens with its own first letters
    [InlineData("ok |ok now|!")]
    [InlineData("mu|mumbled|, then")]
    [InlineData("l|lama(x)|;")] // llama(x): one letter may be doubled by a name
    [InlineData("re|render(view)|;")] // rerender(view): names open with doubled letters too
    [InlineData("de|dent(text)|)")] // dedent(text)
    [InlineData("mi|mic(x)|;")] // mimic(x)
    [InlineData("i|if(a, b, c)|;")] // iif(a, b, c)
    [InlineData("p|print(x)|;")] // pprint(x): one letter before a keyword is a name too
    [InlineData("im|import os\n|x")] // no mark of code after the keyword: left as it came
    [InlineData("ha|hahaha_x()|;")]
    public void Clean_stream_passes_byte_for_byte(string joined)
    {
        var deltas = joined.Split('|');
        var driver = new RepairDriver();
        var payloads = new List<string> { ChunkJson.Content("", role: "assistant") };
        payloads.AddRange(deltas.Select(d => ChunkJson.Content(d)));
        payloads.Add(ChunkJson.Finish("stop"));
        payloads.Add(ChunkJson.Usage(3, 4));

        foreach (var p in payloads)
        {
            driver.Send(p);
        }

        driver.Complete();

        Assert.Equal(payloads, driver.Sink.Texts);
        Assert.Equal(0, driver.Repair.Repairs);
    }

    [Fact]
    public void First_content_is_never_held()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Role());
        driver.Send(ChunkJson.Content("H"));

        Assert.Equal(2, driver.Sink.Events.Count);
        Assert.Null(driver.Repair.HoldDeadline);
    }

    [Fact]
    public void Cumulative_first_two_chunks_become_deltas()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Role());
        driver.Send(ChunkJson.Content("Hello"));
        driver.Send(ChunkJson.Content("Hello world"));
        driver.Send(ChunkJson.Content(", how"));
        driver.Send(ChunkJson.Content(" are you"));
        driver.Complete();

        Assert.Equal(["", "Hello", " world", ", how", " are you"], driver.ClientDeltas);
        Assert.Equal(1, driver.Repair.Repairs);
        Assert.Equal(RepairMode.PassThrough, driver.Repair.Mode);
    }

    [Fact]
    public void Rewritten_event_keeps_every_other_byte()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("Hello"));
        driver.Send(ChunkJson.Content("Hello world"));

        Assert.Equal(ChunkJson.Content(" world"), driver.Sink.Texts.Last());
    }

    [Fact]
    public void Whole_stream_snapshots_become_deltas_without_holding()
    {
        var driver = new RepairDriver();
        string[] snapshots = ["Sure", "Sure, here", "Sure, here is", "Sure, here is the", "Sure, here is the code."];

        foreach (var s in snapshots)
        {
            driver.Send(ChunkJson.Content(s));
            Assert.Equal(0, driver.Repair.HeldEvents);
        }

        driver.Send(ChunkJson.Content("Sure, here is the code.", finishReason: "stop"));
        driver.Complete();

        Assert.Equal(["Sure", ", here", " is", " the", " code.", ""], driver.ClientDeltas);
        Assert.Equal("Sure, here is the code.", driver.ClientText);
    }

    [Fact]
    public void Weak_evidence_is_held_until_the_next_snapshot_confirms_it()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("ha"));
        driver.Send(ChunkJson.Content("ha, there"));
        Assert.Equal(1, driver.Repair.HeldEvents);

        driver.Send(ChunkJson.Content("ha, there, friend"));

        Assert.Equal(0, driver.Repair.HeldEvents);
        Assert.Equal(["ha", ", there", ", friend"], driver.ClientDeltas);
        Assert.Equal(RepairMode.Cumulative, driver.Repair.Mode);
    }

    [Fact]
    public void Held_event_goes_out_unchanged_when_the_next_event_is_a_delta()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("="));
        driver.Send(ChunkJson.Content("=="));
        driver.Send(ChunkJson.Content(" b"));

        Assert.Equal([ChunkJson.Content("="), ChunkJson.Content("=="), ChunkJson.Content(" b")], driver.Sink.Texts);
    }

    [Fact]
    public void Held_text_is_flushed_when_the_stream_ends_without_done()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("="));
        driver.Send(ChunkJson.Content("=="));
        Assert.Single(driver.Sink.Events);

        driver.Complete();

        Assert.Equal("===", driver.ClientText);
        Assert.Equal(0, driver.Repair.RetainedBytes);
    }

    [Fact]
    public void Final_empty_chunk_never_replaces_held_text()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("\n"));
        driver.Send(ChunkJson.Content("\n\n"));
        driver.Send(ChunkJson.Finish("stop"));

        Assert.Equal([ChunkJson.Content("\n"), ChunkJson.Content("\n\n"), ChunkJson.Finish("stop")], driver.Sink.Texts);
    }

    [Fact]
    public void Non_content_events_keep_their_place_behind_held_events()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("="));
        driver.Send(ChunkJson.Content("=="));
        driver.Send(ChunkJson.Unknown(""));
        driver.Send(ChunkJson.Content("x"));

        Assert.Equal([ChunkJson.Content("="), ChunkJson.Content("=="), ChunkJson.Unknown(""), ChunkJson.Content("x")], driver.Sink.Texts);
    }

    [Fact]
    public void Held_events_go_out_when_they_reach_the_hold_time()
    {
        var driver = new RepairDriver(new RepairOptions { MaxHoldTime = TimeSpan.FromMilliseconds(50) });

        driver.Send(ChunkJson.Content("="));
        driver.Send(ChunkJson.Content("=="));
        Assert.Equal(driver.Now + TimeSpan.FromMilliseconds(50), driver.Repair.HoldDeadline);

        driver.Repair.Tick(driver.Now + (49 * Ms), driver.Sink);
        Assert.Single(driver.Sink.Events);

        driver.Repair.Tick(driver.Now + (50 * Ms), driver.Sink);
        Assert.Equal(2, driver.Sink.Events.Count);
        Assert.Null(driver.Repair.HoldDeadline);
    }

    [Fact]
    public void Held_events_go_out_when_they_reach_the_buffer_size()
    {
        var first = ChunkJson.Content("=");
        var driver = new RepairDriver(new RepairOptions { BufferSize = first.Length * 2 });

        driver.Send(first);
        driver.Send(ChunkJson.Content("=="));
        Assert.Equal(1, driver.Repair.HeldEvents);
        driver.Send(ChunkJson.Content("==="));

        Assert.Equal(0, driver.Repair.HeldEvents);
        Assert.Equal("======", driver.ClientText);
    }

    [Fact]
    public void Non_content_events_held_behind_a_hold_respect_the_buffer_size()
    {
        var first = ChunkJson.Content("=");
        var driver = new RepairDriver(new RepairOptions { BufferSize = (first.Length * 2) + ChunkJson.Unknown("").Length });

        driver.Send(first);
        driver.Send(ChunkJson.Content("=="));
        driver.Send(ChunkJson.Reasoning("thinking"));
        Assert.Equal(2, driver.Repair.HeldEvents);
        driver.Send(ChunkJson.Reasoning("more thinking"));

        Assert.Equal(0, driver.Repair.HeldEvents);
        Assert.Equal([first, ChunkJson.Content("=="), ChunkJson.Reasoning("thinking"), ChunkJson.Reasoning("more thinking")], driver.Sink.Texts);
    }

    [Theory]
    [InlineData("##", "## Title", " Title")]
    [InlineData("```", "```python\n", "python\n")]
    [InlineData("**", "**Note**", "Note**")]
    [InlineData("[[1, 2", "[[1, 2], [3, 4]]", "], [3, 4]]")]
    [InlineData("I", "I would", " would")]
    [InlineData("A", "A list", " list")]
    [InlineData("\u4f60\u597d", "\u4f60\u597d\uff0c\u6211\u662f", "\uff0c\u6211\u662f")]
    [InlineData("\u8fd9", "\u8fd9\u4e2a\u95ee\u9898", "\u4e2a\u95ee\u9898")] // 这 is never doubled
    [InlineData("\u6a21", "\u6a21\u578b\u4f1a", "\u578b\u4f1a")] // 模 doubles only before 糊
    [InlineData("```", "```\nx = 1\n", "\nx = 1\n")] // a fence is three backticks, not six
    [InlineData("```\n    ", "```\n    \n}\nfor (", "\n}\nfor (")]
    [InlineData("if", "if (a == b)", " (a == b)")]
    [InlineData("x", "x = len(a)", " = len(a)")]
    [InlineData("    _ => {}", "    _ => {}\n    return", "\n    return")] // three kinds of marks
    [InlineData("de", "def parse_header(line):", "f parse_header(line):")] // dedef parse_header(
    [InlineData("fn ", "fn main() {", "main() {")] // fn fn main() {
    [InlineData("pr", "print(x)", "int(x)")]
    [InlineData("cl", "class Foo:", "ass Foo:")]
    public void Opening_repeated_and_continued_at_once_is_a_snapshot(string first, string second, string repaired)
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content(first));
        driver.Send(ChunkJson.Content(second), after: TimeSpan.FromMilliseconds(30));
        driver.Send(ChunkJson.Content(" next"), after: TimeSpan.FromMilliseconds(30));
        driver.Complete();

        Assert.Equal([first, repaired, " next"], driver.ClientDeltas);
        Assert.Equal(RepairMode.PassThrough, driver.Repair.Mode);
        Assert.Equal(1, driver.Repair.Repairs);
    }

    [Fact]
    public void Duplicated_first_event_is_emptied()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("Hello"));
        driver.Send(ChunkJson.Content("Hello"), after: TimeSpan.Zero);
        driver.Send(ChunkJson.Content(" world"));

        Assert.Equal(["Hello", "", " world"], driver.ClientDeltas);
    }

    [Theory]
    [InlineData("\u8fd9", "\u4e2a\u95ee\u9898")] // 这 then 这 again at once
    [InlineData("We", " can")]
    public void Opening_sent_again_at_once_is_emptied(string opening, string next)
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content(opening));
        driver.Send(ChunkJson.Content(opening), after: TimeSpan.Zero);
        driver.Send(ChunkJson.Content(next));

        Assert.Equal([opening, "", next], driver.ClientDeltas);
    }

    [Fact]
    public void Capitalised_word_repeated_at_token_pace_is_a_snapshot()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("We"));
        driver.Send(ChunkJson.Content("We"), after: TimeSpan.FromMilliseconds(30));
        driver.Send(ChunkJson.Content("We can"), after: TimeSpan.FromMilliseconds(30));

        Assert.Equal("We can", driver.ClientText);
    }

    [Fact]
    public void Short_repeat_at_token_pace_is_not_taken_for_a_duplicate()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("the"));
        driver.Send(ChunkJson.Content("the"), after: TimeSpan.FromMilliseconds(30));
        driver.Send(ChunkJson.Content(" end"));

        Assert.Equal("thethe end", driver.ClientText);
        Assert.Equal(0, driver.Repair.Repairs);
    }

    [Fact]
    public void Escaped_snapshot_is_cut_on_the_raw_text()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("caf\u00e9 \"ok\"", asciiOnly: true));
        driver.Send(ChunkJson.Content("caf\u00e9 \"ok\"\n\u4e2d", asciiOnly: true));

        Assert.Equal(ChunkJson.Content("\n\u4e2d", asciiOnly: true), driver.Sink.Texts.Last());
    }

    [Fact]
    public void Snapshot_with_a_revised_tail_adds_only_the_new_text()
    {
        var driver = new RepairDriver();

        driver.Send(ChunkJson.Content("The quick brown fox"));
        driver.Send(ChunkJson.Content("The quick brown fox jumps"));
        driver.Send(ChunkJson.Content("The quick brown fox jumps over"));
        driver.Send(ChunkJson.Content("The quick brown fox jumped over the"));

        Assert.Equal(["The quick brown fox", " jumps", " over", " the"], driver.ClientDeltas);
        Assert.Equal(RepairMode.Cumulative, driver.Repair.Mode);
    }

    [Fact]
    public void Several_choices_turn_the_repair_off()
    {
        var driver = new RepairDriver();
        var second = "{\"choices\":[{\"delta\":{\"content\":\"Hello\"},\"index\":1}]}";

        driver.Send(ChunkJson.Content("Hello"));
        driver.Send(second);
        driver.Send(ChunkJson.Content("Hello world"));

        Assert.Equal([ChunkJson.Content("Hello"), second, ChunkJson.Content("Hello world")], driver.Sink.Texts);
        Assert.Equal(RepairMode.Disabled, driver.Repair.Mode);
    }

    [Fact]
    public void Clean_stream_releases_its_buffers_after_the_start()
    {
        var driver = new RepairDriver();

        for (var i = 0; i < 20; i++)
        {
            driver.Send(ChunkJson.Content($" word{i}"));
        }

        Assert.Equal(RepairMode.PassThrough, driver.Repair.Mode);
        Assert.Equal(0, driver.Repair.RetainedBytes);
    }

    [Theory]
    [InlineData("Hello", 6.5)]
    [InlineData("Hi", 3.5)]
    [InlineData("hi", 2)]
    [InlineData("I", 0)]
    [InlineData("=", 0)]
    [InlineData("=====", 0)]
    [InlineData("\n\n", 0)]
    [InlineData("haha", 2)]
    [InlineData("hahaha", 2)]
    [InlineData("# c", 2)]
    [InlineData("\u4ee3\u7801", 4)]
    [InlineData("\u4ee3\u7801\u4ee3\u7801", 4)]
    [InlineData("\u8c22\u8c22", 0)]
    [InlineData("\u8fd9", 0)]
    [InlineData("=-=-", 1)]
    [InlineData("[[1, 2", 5)]
    [InlineData("The quick brown fox jumps", 16)]
    public void Information_weighs_repeated_text(string text, double expected)
    {
        Assert.Equal(expected, StutterEvidence.Information(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
