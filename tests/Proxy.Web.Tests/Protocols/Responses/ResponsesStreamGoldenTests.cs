using System.Buffers;
using Proxy.Actors.Resilience;
using Proxy.Web.Protocols.Responses;

namespace Proxy.Web.Tests.Protocols.Responses;

/// <summary>
/// Chat streams of real shapes (<c>golden/*.chat</c>: one chunk per line, <c>[DONE]</c>, or
/// <c>!error Kind message</c> for a failure after the start) against the Responses events they must
/// become (<c>golden/*.events</c>), byte for byte.
/// </summary>
public sealed class ResponsesStreamGoldenTests
{
    internal static readonly DateTimeOffset Start = new(2026, 12, 6, 1, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("text")]
    [InlineData("tool_call")]
    [InlineData("parallel_tool_calls")]
    [InlineData("reasoning")]
    [InlineData("usage_chunk_empty_choices")]
    [InlineData("error_midstream")]
    [InlineData("upstream_error_event")]
    [InlineData("cut_by_length")]
    public void A_chat_stream_becomes_the_documented_responses_events(string name)
    {
        Golden.AssertMatches(name + ".events", Translate(Golden.Read(name + ".chat"), RequestEcho()));
    }

    [Fact]
    public void Sequence_numbers_count_every_event_from_zero()
    {
        var events = Translate(Golden.Read("parallel_tool_calls.chat"), RequestEcho());
        var numbers = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonDocument.Parse(e[(e.IndexOf("data: ", StringComparison.Ordinal) + 6)..]).RootElement.GetProperty("sequence_number").GetInt32())
            .ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers);
    }

    [Fact]
    public void Every_event_names_its_type_twice_and_parses()
    {
        foreach (var name in new[] { "text", "tool_call", "parallel_tool_calls", "reasoning", "error_midstream", "cut_by_length" })
        {
            foreach (var frame in Translate(Golden.Read(name + ".chat"), RequestEcho()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
            {
                var lines = frame.Split('\n');
                Assert.Equal(2, lines.Length);
                Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
                using var data = JsonDocument.Parse(lines[1]["data: ".Length..]);
                Assert.Equal(lines[0]["event: ".Length..], data.RootElement.GetProperty("type").GetString());
            }
        }
    }

    internal static ResponsesEcho RequestEcho()
    {
        Assert.True(ResponsesRequestTranslator.TryTranslate(
            """{"model":"qwen3-coder-plus","input":"hi","instructions":"Be brief.","tools":[{"type":"function","name":"shell","parameters":{"type":"object"}}],"stream":true,"store":false}"""u8,
            out var request,
            out var error), error?.Message);
        return request.Echo;
    }

    internal static string Translate(string chat, ResponsesEcho echo)
    {
        var time = new FakeTimeProvider(Start);
        var translator = new ResponsesProtocol(echo, new SequentialResponseIds(), time).CreateStreamTranslator();
        var output = new ArrayBufferWriter<byte>();
        foreach (var line in chat.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            if (line == "[DONE]")
            {
                translator.WriteDone(output);
            }
            else if (line.StartsWith("!error ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', 3);
                translator.WriteError(Enum.Parse<FailureKind>(parts[1]), parts[2], null, output);
            }
            else
            {
                translator.WriteEvent(Encoding.UTF8.GetBytes(line), output);
            }
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
