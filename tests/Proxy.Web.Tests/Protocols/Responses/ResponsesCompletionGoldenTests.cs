using Proxy.Web.Protocols.Responses;

namespace Proxy.Web.Tests.Protocols.Responses;

/// <summary>Whole <c>chat.completion</c> answers (<c>golden/completion_*.json</c>) against the Response objects they become.</summary>
public sealed class ResponsesCompletionGoldenTests
{
    [Theory]
    [InlineData("completion_text")]
    [InlineData("completion_tools")]
    public void A_chat_completion_becomes_the_documented_response_object(string name)
    {
        var protocol = new ResponsesProtocol(ResponsesStreamGoldenTests.RequestEcho(), new SequentialResponseIds(), new FakeTimeProvider(ResponsesStreamGoldenTests.Start));
        var response = Encoding.UTF8.GetString(protocol.TranslateCompletion(Encoding.UTF8.GetBytes(Golden.Read(name + ".json").TrimEnd('\n'))));
        using var parsed = JsonDocument.Parse(response);
        Golden.AssertMatches(name + ".response.json", response + "\n");
    }

    [Fact]
    public void A_request_without_a_model_reports_the_upstream_model()
    {
        Assert.True(ResponsesRequestTranslator.TryTranslate("""{"input":"x"}"""u8, out var request, out _));
        var protocol = new ResponsesProtocol(request.Echo, new SequentialResponseIds(), new FakeTimeProvider(ResponsesStreamGoldenTests.Start));
        using var response = JsonDocument.Parse(protocol.TranslateCompletion("""{"model":"qwen3-coder-flash","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}"""u8));
        Assert.Equal("qwen3-coder-flash", response.RootElement.GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, response.RootElement.GetProperty("usage").ValueKind);
        Assert.Equal("completed", response.RootElement.GetProperty("status").GetString());
    }
}
