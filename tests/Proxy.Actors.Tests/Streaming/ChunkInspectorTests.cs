using System.Text;
using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Streaming.Support;

namespace Proxy.Actors.Tests.Streaming;

public sealed class ChunkInspectorTests
{
    [Fact]
    public void Content_delta_is_found_with_its_raw_position()
    {
        var payload = ChunkJson.Bytes(ChunkJson.Content("Hello"));

        Assert.True(ChunkInspector.TryInspect(payload, out var info));

        Assert.Equal(ChunkFlags.Content, info.Flags);
        Assert.Equal("Hello", Encoding.UTF8.GetString(info.RawContent(payload)));
        Assert.False(info.ContentEscaped);
    }

    [Fact]
    public void Escaped_content_is_marked_escaped_and_kept_raw()
    {
        var payload = ChunkJson.Bytes(ChunkJson.Content("a\"b\n\u00e9", asciiOnly: true));

        Assert.True(ChunkInspector.TryInspect(payload, out var info));

        Assert.True(info.ContentEscaped);
        Assert.Equal(ChunkJson.Quote("a\"b\n\u00e9", asciiOnly: true)[1..^1], Encoding.UTF8.GetString(info.RawContent(payload)));
        Assert.Equal("a\\u0022b\\n\\u00E9", Encoding.UTF8.GetString(info.RawContent(payload)));
    }

    [Fact]
    public void Role_only_chunk_has_no_content()
    {
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Role()), out var info));

        Assert.Equal(ChunkFlags.Role, info.Flags);
        Assert.False(info.HasContent);
    }

    [Fact]
    public void Role_with_empty_content_has_content_but_no_text()
    {
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Content("", role: "assistant")), out var info));

        Assert.Equal(ChunkFlags.Role | ChunkFlags.Content, info.Flags);
        Assert.False(info.HasText);
    }

    [Fact]
    public void Usage_tail_with_empty_choices_is_a_boundary()
    {
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Usage(10, 20)), out var info));

        Assert.Equal(ChunkFlags.Usage | ChunkFlags.EmptyChoices, info.Flags);
        Assert.True(info.IsBoundary);
    }

    [Fact]
    public void Tool_calls_reasoning_finish_reason_and_unknown_fields_are_flagged()
    {
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.ToolCall(0, "call_1", "get", "{\"a\":")), out var tool));
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Reasoning("hmm")), out var reasoning));
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Finish("stop")), out var finish));
        Assert.True(ChunkInspector.TryInspect(ChunkJson.Bytes(ChunkJson.Unknown("x")), out var unknown));

        Assert.Equal(ChunkFlags.ToolCalls, tool.Flags);
        Assert.Equal(ChunkFlags.Reasoning, reasoning.Flags);
        Assert.Equal(ChunkFlags.Content | ChunkFlags.FinishReason, finish.Flags);
        Assert.Equal(ChunkFlags.Content | ChunkFlags.OtherDelta, unknown.Flags);
    }

    [Fact]
    public void Native_null_string_finish_reason_is_not_a_finish()
    {
        var payload = ChunkJson.Bytes(ChunkJson.Content("x", finishReason: "null"));

        Assert.True(ChunkInspector.TryInspect(payload, out var info));

        Assert.Equal(ChunkFlags.Content, info.Flags);
    }

    [Fact]
    public void Second_choice_index_is_flagged()
    {
        var payload = ChunkJson.Bytes("{\"choices\":[{\"delta\":{\"content\":\"x\"},\"index\":1}]}");

        Assert.True(ChunkInspector.TryInspect(payload, out var info));

        Assert.Equal(ChunkFlags.Content | ChunkFlags.OtherChoice, info.Flags);
    }

    [Fact]
    public void Top_level_error_is_flagged()
    {
        Assert.True(ChunkInspector.TryInspect("{\"error\":{\"message\":\"boom\"}}"u8, out var info));

        Assert.Equal(ChunkFlags.Error, info.Flags);
    }

    [Theory]
    [InlineData("{\"choices\":[{\"delta\":{\"content\":\"x\"}")]
    [InlineData("{\"choices\":[]} trailing")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{\"a\":\"\\uZZZZ\"}")]
    public void Malformed_payloads_are_rejected(string payload)
    {
        Assert.False(ChunkInspector.TryInspect(Encoding.UTF8.GetBytes(payload), out _));
    }
}
