using Proxy.Web.Configuration;
using Proxy.Web.Models;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Requests;

public sealed class ChatRequestReaderTests
{
    /// <summary>A body full of fields the proxy must not touch, formatted oddly on purpose.</summary>
    private const string Unusual = """
        {
          "messages" : [
            {"role":"system","content":"Tu es \u00e9l\u00e8ve. Emoji: 😀 \ud83d\ude00 \/ slash \"quoted\" \n"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":"42"}
          ],
          "model"   :   "MODEL",
          "temperature": 0,
          "top_p": 1.0,
          "presence_penalty": -0.0,
          "seed": 12345678901234567890,
          "tiny": 1e-7,
          "parallel_tool_calls": false,
          "max_completion_tokens": 64,
          "metadata": {"model": "not-this-one", "nested": [[[]]], "empty": {}},
          "model_extra": "not-this-either",
          "x-unknown-vendor-field": {"anything": [true, false, null]},
          "stream": true,
          "stream_options": {"include_usage": true, "future_option": 1}
        }
        """;

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase) { ["gpt-4o"] = "qwen3-coder-plus" };

    private static ChatRequestReader Reader(bool apiKey = false) => new(new ModelMapper(new ProxyOptions
    {
        ModelAliases = Aliases,
        UpstreamBaseUrl = apiKey ? new Uri("https://upstream.example/v1") : null,
    }));

    private static ChatRequest Read(string body, bool apiKey = false, CompletionApi api = CompletionApi.Chat)
    {
        Assert.True(Reader(apiKey).TryRead(Encoding.UTF8.GetBytes(body), api, out var request, out var error), error?.Message);
        return request;
    }

    private static RequestError Fail(byte[] body)
    {
        Assert.False(Reader().TryRead(body, CompletionApi.Chat, out _, out var error));
        return error;
    }

    private static RequestError Fail(string body) => Fail(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void A_known_model_leaves_every_byte_untouched()
    {
        var bytes = Encoding.UTF8.GetBytes(Unusual.Replace("MODEL", "qwen3-coder-plus", StringComparison.Ordinal));

        Assert.True(Reader().TryRead(bytes, CompletionApi.Chat, out var request, out _));

        Assert.Equal(bytes, request.Body.ToArray());
        Assert.False(request.BodyRewritten);
        Assert.Equal("qwen3-coder-plus", request.Model);
        Assert.Equal("qwen3-coder-plus", request.RequestedModel);
        Assert.True(request.Stream);
        Assert.True(request.IncludeUsage);
    }

    [Fact]
    public void An_alias_rewrites_only_the_top_level_model_value()
    {
        var request = Read(Unusual.Replace("MODEL", "gpt-4o", StringComparison.Ordinal));

        var expected = Unusual.Replace("MODEL", "qwen3-coder-plus", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(request.Body.Span));
        Assert.True(request.BodyRewritten);
        Assert.Equal("gpt-4o", request.RequestedModel);
        Assert.Equal("qwen3-coder-plus", request.Model);
    }

    [Fact]
    public void An_unknown_model_becomes_the_default_for_qwen_oauth_and_passes_for_api_key()
    {
        var body = Unusual.Replace("MODEL", "claude-3", StringComparison.Ordinal);

        Assert.Equal(Unusual.Replace("MODEL", "qwen3-coder-plus", StringComparison.Ordinal), Encoding.UTF8.GetString(Read(body).Body.Span));
        Assert.Equal(body, Encoding.UTF8.GetString(Read(body, apiKey: true).Body.Span));
    }

    [Fact]
    public void A_missing_model_is_inserted_after_the_opening_brace()
    {
        var request = Read("""  {"messages":[],"temperature":0}""");

        Assert.Equal("""  {"model":"qwen3-coder-plus","messages":[],"temperature":0}""", Encoding.UTF8.GetString(request.Body.Span));
        Assert.Null(request.RequestedModel);
        Assert.True(request.BodyRewritten);
    }

    [Fact]
    public void An_escaped_model_name_that_means_a_known_model_is_not_rewritten()
    {
        const string body = """{"model":"qwen3\u002dcoder-plus","messages":[]}""";

        var request = Read(body);

        Assert.Equal(body, Encoding.UTF8.GetString(request.Body.Span));
        Assert.False(request.BodyRewritten);
    }

    [Theory]
    [InlineData("""{"messages":[]}""", false, false)]
    [InlineData("""{"messages":[],"stream":false}""", false, false)]
    [InlineData("""{"messages":[],"stream":null}""", false, false)]
    [InlineData("""{"messages":[],"stream":true}""", true, false)]
    [InlineData("""{"messages":[],"stream":true,"stream_options":null}""", true, false)]
    [InlineData("""{"messages":[],"stream":true,"stream_options":{"include_usage":false}}""", true, false)]
    [InlineData("""{"stream_options":{"x":{"include_usage":false},"include_usage":true},"stream":true,"messages":[]}""", true, true)]
    public void Stream_and_include_usage_are_read(string body, bool stream, bool includeUsage)
    {
        var request = Read(body);

        Assert.Equal(stream, request.Stream);
        Assert.Equal(includeUsage, request.IncludeUsage);
    }

    [Theory]
    [InlineData("", "The request body is empty; send a JSON object with 'model' and 'messages'.", null)]
    [InlineData(" \r\n\t", "The request body is empty; send a JSON object with 'model' and 'messages'.", null)]
    [InlineData("[]", "The request body must be a JSON object.", null)]
    [InlineData("\"text\"", "The request body must be a JSON object.", null)]
    [InlineData("42", "The request body must be a JSON object.", null)]
    [InlineData("null", "The request body must be a JSON object.", null)]
    [InlineData("""{"model":42,"messages":[]}""", "'model' must be a string.", "model")]
    [InlineData("""{"model":null,"messages":[]}""", "'model' must be a string.", "model")]
    [InlineData("""{"model":"a","model":"b","messages":[]}""", "'model' appears more than once.", "model")]
    [InlineData("""{"messages":[],"stream":"yes"}""", "'stream' must be a boolean.", "stream")]
    [InlineData("""{"messages":[],"stream":1}""", "'stream' must be a boolean.", "stream")]
    [InlineData("""{"messages":{}}""", "'messages' must be an array.", "messages")]
    [InlineData("""{"messages":"hi"}""", "'messages' must be an array.", "messages")]
    [InlineData("""{"model":"qwen3-coder-plus"}""", "'messages' is required.", "messages")]
    [InlineData("""{"messages":[],"stream_options":true}""", "'stream_options' must be an object.", "stream_options")]
    [InlineData("""{"messages":[],"stream_options":{"include_usage":"true"}}""", "'stream_options.include_usage' must be a boolean.", "stream_options.include_usage")]
    public void Malformed_bodies_are_clear_400_errors(string body, string message, string? param)
    {
        var error = Fail(body);

        Assert.Equal(message, error.Message);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"messages":[""")]
    [InlineData("""{"messages":[]""")]
    [InlineData("""{"messages":[],}""")]
    [InlineData("""{'messages':[]}""")]
    [InlineData("""{"messages":[]} trailing""")]
    [InlineData("""{"messages":[]}{}""")]
    [InlineData("""{"messages":[] /* comment */}""")]
    [InlineData("""{"messages":[NaN]}""")]
    public void Invalid_json_is_reported_as_such(string body)
    {
        Assert.StartsWith("The request body is not valid JSON: ", Fail(body).Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_as_such()
    {
        byte[] body = [.. """{"messages":[],"x":" """u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal("The request body is not valid UTF-8.", Fail(body).Message);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var body = "{\"messages\":[],\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.StartsWith("The request body is not valid JSON: ", Fail(body).Message);
    }

    [Fact]
    public void Legacy_requests_need_no_messages_field_check()
    {
        var request = Read("""{"model":"qwen3-coder-flash","messages":[{"role":"user","content":"x"}]}""", api: CompletionApi.LegacyCompletions);

        Assert.Equal(CompletionApi.LegacyCompletions, request.Api);
    }
}
