using Proxy.Web.Protocols.Responses;

namespace Proxy.Web.Tests.Protocols.Responses;

public sealed class ResponsesRequestTranslatorTests
{
    private static string ToChat(string body)
    {
        Assert.True(ResponsesRequestTranslator.TryTranslate(Encoding.UTF8.GetBytes(body), out var request, out var error), error?.Message);
        return Encoding.UTF8.GetString(request.ChatBody);
    }

    private static (string Message, string? Param) Fail(string body)
    {
        Assert.False(ResponsesRequestTranslator.TryTranslate(Encoding.UTF8.GetBytes(body), out _, out var error));
        return (error.Message, error.Param);
    }

    [Fact]
    public void What_codex_sends_on_every_request_is_translated_and_the_rest_dropped_by_rule()
    {
        Golden.AssertMatches("codex.chat.json", ToChat(Golden.Read("codex.request.json").TrimEnd('\n')));
    }

    [Fact]
    public void A_string_input_becomes_one_user_message_with_instructions_as_system()
    {
        Assert.Equal(
            """{"model":"m","messages":[{"role":"system","content":"Be \"brief\"."},{"role":"user","content":"Hi \u00e9"}],"max_tokens":64,"temperature":0,"top_p":0.5}""",
            ToChat("""{"model":"m","input":"Hi \u00e9","instructions":"Be \"brief\".","max_output_tokens":64,"temperature":0,"top_p":0.5,"store":false,"metadata":{"k":"v"},"user":"u1","truncation":"auto"}"""));
    }

    [Fact]
    public void User_content_keeps_its_parts_and_images_become_image_urls()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]}]}""",
            ToChat("""{"input":[{"role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"data:image/png;base64,AAAA","detail":"low"}]}]}"""));
    }

    [Fact]
    public void Parallel_function_calls_become_one_assistant_message_and_their_outputs_tool_messages()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{\"c\":1}"}},{"id":"c2","type":"function","function":{"name":"w","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"},{"role":"tool","tool_call_id":"c2","content":"rain and wind"}]}""",
            ToChat("""{"input":[{"role":"user","content":"weather?"},{"type":"function_call","call_id":"c1","name":"w","arguments":"{\"c\":1}"},{"type":"function_call","call_id":"c2","name":"w"},{"type":"function_call_output","call_id":"c1","output":"sunny"},{"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"rain"},{"type":"input_text","text":" and wind"}]}]}"""));
    }

    [Fact]
    public void A_named_function_choice_takes_the_chat_form_and_hosted_choices_are_dropped()
    {
        const string tools = """[{"type":"function","name":"f","parameters":{}}]""";
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}],"tool_choice":{"type":"function","function":{"name":"f"}}}""",
            ToChat("""{"input":"x","tools":""" + tools + ""","tool_choice":{"type":"function","name":"f"}}"""));
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{}}}]}""",
            ToChat("""{"input":"x","tools":""" + tools + ""","tool_choice":{"type":"web_search"}}"""));
    }

    [Fact]
    public void Only_built_in_tools_leave_no_tools_and_no_tool_choice()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}]}""",
            ToChat("""{"input":"x","tools":[{"type":"web_search"},{"type":"file_search","vector_store_ids":["v"]}],"tool_choice":"required","parallel_tool_calls":true}"""));
    }

    [Theory]
    [InlineData("none", "\"enable_thinking\":false")]
    [InlineData("low", "\"enable_thinking\":true,\"reasoning_effort\":\"low\"")]
    [InlineData("high", "\"enable_thinking\":true,\"reasoning_effort\":\"high\"")]
    [InlineData("minimal", "\"enable_thinking\":true")]
    public void Reasoning_effort_is_mapped_to_what_qwen_takes(string effort, string expected)
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}],""" + expected + "}",
            ToChat("""{"input":"x","reasoning":{"effort":"EFFORT","summary":"auto"}}""".Replace("EFFORT", effort, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_json_schema_format_becomes_a_response_format()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object"},"strict":true}}}""",
            ToChat("""{"input":"x","text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"},"strict":true},"verbosity":"low"}}"""));
    }

    [Fact]
    public void A_stream_asks_the_upstream_for_usage()
    {
        Assert.Equal(
            """{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}""",
            ToChat("""{"model":"m","input":"x","stream":true,"stream_options":{"include_obfuscation":false}}"""));
    }

    [Theory]
    [InlineData("", "The request body is empty; send a JSON object with 'model' and 'input'.", null)]
    [InlineData("[]", "The request body must be a JSON object.", null)]
    [InlineData("""{"model":"m"}""", "'input' is required.", "input")]
    [InlineData("""{"input":5}""", "'input' must be a string or an array of input items.", "input")]
    [InlineData("""{"input":"x","model":1}""", "'model' must be a string.", "model")]
    [InlineData("""{"input":"x","store":true}""", "'store: true' is not supported: this proxy keeps no responses. Send 'store: false'.", "store")]
    [InlineData("""{"input":"x","previous_response_id":"resp_1"}""", "'previous_response_id' is not supported: this proxy keeps no responses. Send the whole conversation in 'input'.", "previous_response_id")]
    [InlineData("""{"input":"x","conversation":"conv_1"}""", "'conversation' is not supported: this proxy keeps no conversations. Send the whole conversation in 'input'.", "conversation")]
    [InlineData("""{"input":"x","background":true}""", "'background: true' is not supported: this proxy keeps no responses to poll.", "background")]
    [InlineData("""{"input":[{"type":"item_reference","id":"msg_1"}]}""", "'input[0]': item references need stored responses, which this proxy does not keep; send the items themselves.", "input")]
    [InlineData("""{"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}""", "'input[0].content[0]': content of type 'input_file' is not supported; send input_text or input_image parts.", "input")]
    [InlineData("""{"input":[{"role":"user","content":[{"type":"input_image","file_id":"f"}]}]}""", "'input[0].content[0]': an input_image needs an 'image_url' (a URL or a data URL); 'file_id' needs stored files, which this proxy does not keep.", "input")]
    [InlineData("""{"input":[{"type":"function_call","name":"f"}]}""", "'input[0]' (function_call) needs 'call_id' and 'name'.", "input")]
    [InlineData("""{"input":[{"role":"tool","content":"x"}]}""", "'input[0].role' must be 'user', 'assistant', 'system' or 'developer'.", "input")]
    [InlineData("""{"input":[3]}""", "'input[0]' must be an object.", "input")]
    public void Bad_requests_get_a_clear_400_message(string body, string message, string? param)
    {
        Assert.Equal((message, param), Fail(body));
    }

    [Fact]
    public void Invalid_json_is_reported()
    {
        Assert.StartsWith("The request body is not valid JSON: ", Fail("""{"input":"x" """).Message);
    }
}
