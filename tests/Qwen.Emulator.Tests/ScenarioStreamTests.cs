using System.Text.Json;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

/// <summary>Checks computed from <see cref="EmulatorText"/>: every scenario streams exactly what it promises.</summary>
public sealed class ScenarioStreamTests
{
    [Theory]
    [InlineData("", 42, 8, 6)]
    [InlineData("seed=1", 1, 8, 6)]
    [InlineData("seed=-9;chunks=1;chunk_chars=1", -9, 1, 1)]
    [InlineData("chunks=40;chunk_chars=3", 42, 40, 3)]
    [InlineData("chunks=5;chunk_chars=200", 42, 5, 200)]
    [InlineData("chunks=12;delay_ms=1", 42, 12, 6)]
    [InlineData("chunks=6;first_byte_ms=20", 42, 6, 6)]
    [InlineData("chunks=4;usage=true", 42, 4, 6)]
    [InlineData("stutter=none;chunks=9", 42, 9, 6)]
    [InlineData("reasoning=3;chunks=4", 42, 4, 6)]
    [InlineData("tools=2;chunks=3", 42, 3, 6)]
    [InlineData("fault=stall_mid:2:10", 42, 8, 6)]
    [InlineData("fault=no_done;chunks=3", 42, 3, 6)]
    public async Task Deltas_of_a_clean_scenario_concatenate_to_the_seeds_text(string scenario, int seed, int chunks, int chunkChars)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync(scenario));

        var text = EmulatorText.For(seed, chunks, chunkChars);
        Assert.Equal(text, view.Content);
        Assert.Equal(text, EmulatorText.ForScenario(scenario));
        Assert.Equal(chunks, view.Contents.Count);
        Assert.All(view.Contents, c => Assert.Equal(chunkChars, c.Length));
        Assert.Equal("assistant", view.Deltas.First().GetProperty("role").GetString());
        Assert.Single(view.Deltas, d => d.TryGetProperty("role", out _));
        Assert.Single(view.FinishReasons, f => f is not null);
        Assert.Equal(!scenario.Contains("no_done", StringComparison.Ordinal), view.EndsWithDone);
    }

    [Fact]
    public async Task Reasoning_comes_before_content_and_is_its_own_text()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync("reasoning=3;chunks=2;chunk_chars=4"));

        var deltas = view.Deltas.ToList();
        Assert.Equal(5, deltas.Count);
        Assert.All(deltas.Take(3), d => Assert.True(d.TryGetProperty("reasoning_content", out _)));
        Assert.All(deltas.Take(3), d => Assert.False(d.TryGetProperty("content", out _)));
        Assert.Equal("assistant", deltas[0].GetProperty("role").GetString());
        Assert.Equal(EmulatorText.Reasoning(42, 3, 4), view.Reasoning);
        Assert.Equal(EmulatorText.For(42, 2, 4), view.Content);
        Assert.NotEqual(EmulatorText.For(42, 3, 4), EmulatorText.Reasoning(42, 3, 4));
    }

    [Fact]
    public async Task Tool_calls_assemble_to_the_seeds_calls_with_id_and_name_only_on_the_first_piece()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync("seed=3;tools=3;chunks=2;chunk_chars=7"));

        var expected = EmulatorText.ToolCalls(3, 3);
        Assert.Equal(expected.Select(c => (c.Id, c.Name, c.Arguments)), view.ToolCalls());
        Assert.All(expected, c => JsonDocument.Parse(c.Arguments));
        var pieces = view.Deltas.Where(d => d.TryGetProperty("tool_calls", out _)).Select(d => d.GetProperty("tool_calls")[0]).ToList();
        Assert.Equal(expected.Sum(c => 1 + ((c.Arguments.Length + 6) / 7)), pieces.Count);
        foreach (var piece in pieces)
        {
            var first = piece.TryGetProperty("id", out _);
            Assert.Equal(first, piece.TryGetProperty("type", out _));
            Assert.Equal(first, piece.GetProperty("function").TryGetProperty("name", out _));
            Assert.Equal(first ? 4 : 2, piece.EnumerateObject().Count());
        }

        Assert.Equal(EmulatorText.For(3, 2, 7), view.Content);
        Assert.Equal("tool_calls", view.FinishReasons[^1]);
        Assert.Single(view.FinishReasons, f => f is not null);
        Assert.Equal(3, expected.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public async Task Non_streaming_tool_calls_carry_whole_arguments_and_null_content()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (_, text) = await emulator.ChatAsync("""{"model":"m"}""", "tools=2;chunks=0;reasoning=1");

        var message = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0];
        Assert.Equal("tool_calls", message.GetProperty("finish_reason").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("message").GetProperty("content").ValueKind);
        Assert.Equal(EmulatorText.Reasoning(42, 1, 6), message.GetProperty("message").GetProperty("reasoning_content").GetString());
        var calls = message.GetProperty("message").GetProperty("tool_calls").EnumerateArray()
            .Select(c => (c.GetProperty("id").GetString(), c.GetProperty("function").GetProperty("name").GetString(), c.GetProperty("function").GetProperty("arguments").GetString()));
        Assert.Equal(EmulatorText.ToolCalls(42, 2).Select(c => ((string?)c.Id, (string?)c.Name, (string?)c.Arguments)), calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public async Task Cumulative_n_sends_n_snapshots_then_deltas(int n)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync($"stutter=cumulative:{n};chunks=8;chunk_chars=5"));

        var text = EmulatorText.For(42, 8, 5);
        var expected = Enumerable.Range(0, 8).Select(i => i < n ? text[..((i + 1) * 5)] : text.Substring(i * 5, 5));
        Assert.Equal(expected, view.Contents);
        Assert.Equal("stop", view.FinishReasons[^1]);
        Assert.Equal(text, EmulatorText.ForScenario($"stutter=cumulative:{n};chunks=8;chunk_chars=5"));
    }

    [Fact]
    public async Task Cumulative_all_sends_the_whole_text_so_far_every_time()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync("stutter=cumulative_all;chunks=6;chunk_chars=4"));

        var text = EmulatorText.For(42, 6, 4);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => text[..(i * 4)]), view.Contents);
        Assert.Equal(text, view.Contents[^1]);
    }

    [Fact]
    public async Task Duplicate_n_repeats_n_distinct_content_events_right_after_themselves()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("stutter=duplicate:3;chunks=10;chunk_chars=4");

        var payloads = Sse.Payloads(body);
        var view = new StreamView(body);
        var text = EmulatorText.For(42, 10, 4);
        Assert.Equal(13, view.Contents.Count);
        var repeats = Enumerable.Range(1, payloads.Count - 1).Where(i => payloads[i] == payloads[i - 1]).ToList();
        Assert.Equal(3, repeats.Count);
        var withoutRepeats = payloads.Where((p, i) => !repeats.Contains(i)).ToList();
        Assert.Equal(text, new StreamView(string.Concat(withoutRepeats.Select(p => $"data: {p}\n\n"))).Content);
    }

    [Fact]
    public async Task Duplicates_are_the_same_for_the_same_seed_and_differ_for_another()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var first = await emulator.StreamAsync("stutter=duplicate:2;chunks=20");
        var again = await emulator.StreamAsync("stutter=duplicate:2;chunks=20");
        var other = await emulator.StreamAsync("stutter=duplicate:2;chunks=20;seed=43");

        static IEnumerable<int> Positions(string body)
        {
            var payloads = Sse.Payloads(body);
            return Enumerable.Range(1, payloads.Count - 1).Where(i => payloads[i] == payloads[i - 1]);
        }

        Assert.Equal(Positions(first), Positions(again));
        Assert.NotEqual(Positions(first), Positions(other));
    }

    [Fact]
    public async Task Tricky_is_a_clean_stream_of_shapes_that_look_like_stutter()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync("stutter=tricky;chunks=3;chunk_chars=4"));

        var text = EmulatorText.For(42, 3, 4);
        var first = view.Deltas.First();
        Assert.Equal("""{"role":"assistant"}""", first.GetRawText());
        string[] expected = ["\n", "\n", "", "=", "==", "", text[..4], text[4..8], text[8..], ""];
        Assert.Equal(expected, view.Contents);
        Assert.Equal(EmulatorText.TrickyPrefix + text, view.Content);
        Assert.Equal(EmulatorText.TrickyPrefix + text, EmulatorText.ForScenario("stutter=tricky;chunks=3;chunk_chars=4"));
        Assert.Equal("stop", view.FinishReasons[^1]);
        Assert.Equal("", view.Contents[^1]);
        Assert.True(view.EndsWithDone);
    }

    [Fact]
    public async Task Non_streaming_tricky_and_stutter_scenarios_answer_the_true_text()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (_, tricky) = await emulator.ChatAsync("{}", "stutter=tricky;chunks=2");
        var (_, cumulative) = await emulator.ChatAsync("{}", "stutter=cumulative_all;chunks=2");

        static string Content(string body) => JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal(EmulatorText.TrickyPrefix + EmulatorText.For(42, 2, 6), Content(tricky));
        Assert.Equal(EmulatorText.For(42, 2, 6), Content(cumulative));
    }

    [Fact]
    public async Task Usage_chunk_comes_last_with_empty_choices_when_asked_for()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var asked = new StreamView(await emulator.StreamAsync("chunks=3", includeUsage: true));
        var forced = new StreamView(await emulator.StreamAsync("chunks=3;usage=true"));
        var none = new StreamView(await emulator.StreamAsync("chunks=3"));

        foreach (var view in new[] { asked, forced })
        {
            var last = view.Chunks[^1];
            Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
            Assert.Equal(5, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.True(view.EndsWithDone);
        }

        Assert.All(none.Chunks, c => Assert.False(c.TryGetProperty("usage", out _)));
    }

    [Fact]
    public async Task Echo_streams_the_exact_request_body_as_the_only_content()
    {
        await using var emulator = await TestEmulator.StartAsync();
        const string body = """{"model":"m","stream":true,"temperature":0,"tool_call_id":"x","messages":[{"role":"user","content":"é \"q\" \n"}],"unknown":{"a":[1,2]}}""";

        var (response, text) = await emulator.ChatAsync(body, "echo");
        var (_, plain) = await emulator.ChatAsync(body.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal), "echo=true");

        Assert.Equal(200, (int)response.StatusCode);
        var view = new StreamView(text);
        Assert.Equal([body], view.Contents);
        Assert.Equal("stop", view.FinishReasons.Single());
        Assert.Equal(
            body.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal),
            JsonDocument.Parse(plain).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Run_default_scenario_applies_and_the_header_overrides_it_key_by_key()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.DefaultScenario = "chunks=2;chunk_chars=3;seed=9");

        var byDefault = new StreamView(await emulator.StreamAsync());
        var overridden = new StreamView(await emulator.StreamAsync("chunks=4"));

        Assert.Equal(EmulatorText.For(9, 2, 3), byDefault.Content);
        Assert.Equal(EmulatorText.For(9, 4, 3), overridden.Content);
    }

    [Fact]
    public async Task Zero_chunks_is_one_empty_content_chunk_with_stop()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var view = new StreamView(await emulator.StreamAsync("chunks=0"));

        Assert.Equal([""], view.Contents);
        Assert.Equal(["stop"], view.FinishReasons);
    }

    [Fact]
    public async Task Delay_ms_flushes_each_event_on_its_own()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var request = TestEmulator.ChatRequest("""{"stream":true}""", "chunks=3;delay_ms=5000");
        using var response = await emulator.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, emulator.Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(emulator.Ct);

        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, emulator.Ct);
        var first = System.Text.Encoding.UTF8.GetString(buffer, 0, read);

        Assert.Single(Sse.Payloads(first));
    }
}
