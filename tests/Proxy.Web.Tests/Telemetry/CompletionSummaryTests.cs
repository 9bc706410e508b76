using System.Text;
using Proxy.Actors.Streaming;

namespace Proxy.Web.Tests.Telemetry;

public sealed class CompletionSummaryTests
{
    [Fact]
    public void A_whole_completion_gives_model_finish_reasons_and_usage()
    {
        var summary = new CompletionSummary();

        var read = summary.Read(Encoding.UTF8.GetBytes(
            """{"id":"c1","model":"qwen3-coder-plus","choices":[{"index":0,"message":{"content":"hi"},"finish_reason":"stop"},{"index":1,"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17}}"""));

        Assert.True(read);
        Assert.Equal("qwen3-coder-plus", summary.ResponseModel);
        Assert.Equal(["stop", "length"], summary.FinishReasons);
        Assert.Equal((12L, 5L), (summary.InputTokens!.Value, summary.OutputTokens!.Value));
    }

    [Fact]
    public void Stream_chunks_add_up_and_an_open_choice_is_no_finish_reason()
    {
        var summary = new CompletionSummary();

        summary.Read("""{"model":"m1","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"null"}]}"""u8);
        summary.Read("""{"model":"m1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""u8);
        summary.Read("""{"model":"m1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}"""u8);

        Assert.Equal("m1", summary.ResponseModel);
        Assert.Equal(["tool_calls"], summary.FinishReasons);
        Assert.Equal((3L, 4L), (summary.InputTokens!.Value, summary.OutputTokens!.Value));
    }

    [Fact]
    public void Malformed_or_missing_parts_stay_unknown()
    {
        var summary = new CompletionSummary();

        Assert.False(summary.Read("""{"model":"m1","choices":[1,"""u8));
        Assert.True(summary.Read("""{"usage":{"prompt_tokens":"12","completion_tokens":-1},"choices":null}"""u8));

        Assert.Null(summary.InputTokens);
        Assert.Null(summary.OutputTokens);
        Assert.Empty(summary.FinishReasons);
    }
}
