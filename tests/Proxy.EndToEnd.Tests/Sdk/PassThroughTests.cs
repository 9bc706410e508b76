using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>What reaches the upstream: the client's body untouched, the right identity, none of the client's private headers.</summary>
public sealed partial class PassThroughTests
{
    /// <summary>Unknown and nested fields, zero temperature, tool history, odd spacing and number forms, non-ASCII and escapes.</summary>
    private const string UnusualFields =
        """
        "messages" : [
            {"role":"system","content":"Be terse \u2603 \u2014 na\u00efve \u65e5\u672c\u8a9e \ud83d\ude00 and raw: café ☃ 😀 \"q\" \\ \t"},
            {"role":"user","content":"hi","name":"alice"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"a.txt\"}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":"ok"}
          ],
          "temperature":0, "top_p":1.0, "presence_penalty":-0.50, "seed":1e3,
          "parallel_tool_calls":false, "max_completion_tokens":64,
          "tools":[{"type":"function","function":{"name":"read_file","description":"Read","parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}],
          "tool_choice":"auto",
          "response_format":{"type":"json_object"},
          "x_vendor_extension":{"nested":{"deep":[1,2.50,{"k":null,"e":[]}],"empty":{}},"flag":true},
          "metadata":{"trace":"ünïcode"}
        }
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_full_of_unusual_fields_reaches_the_upstream_byte_for_byte(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");
        var json = "{ \"model\":\"qwen3-coder-plus\", \"stream\":" + (stream ? "true" : "false") + ",\n  " + UnusualFields;
        var sent = Encoding.UTF8.GetBytes(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(sent) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await gateway.Client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal(json, record.BodyText);
        Assert.Equal(sent, record.Body);
    }

    [Fact]
    public async Task A_plain_upstream_meets_the_proxy_as_itself_and_gets_none_of_the_clients_private_headers()
    {
        await using var gateway = await Gateway.StartAsync("chunks=3");
        using var request = Gateway.ChatRequest(stream: true);
        request.Headers.Add("Cookie", "session=client-secret-cookie");
        request.Headers.Add("X-Emulator-Scenario", "fault=500");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "client-own-key-7777");

        using var response = await gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Qwen.Emulator.EmulatorText.ForScenario("chunks=3", 7), Sse.Text(body));
        var record = Assert.Single(gateway.Emulator.State.Requests);
        // Qwen Code's identity goes only to Qwen OAuth and Qwen's own hosts; a loopback emulator is neither.
        Assert.Matches(ProxyUserAgent(), record.Headers["User-Agent"]);
        Assert.DoesNotContain(record.Headers.Keys, k => k.StartsWith("X-DashScope", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Bearer " + Gateway.UpstreamKey, record.Headers["Authorization"]);
        Assert.False(record.Headers.ContainsKey("Cookie"));
        Assert.False(record.Headers.ContainsKey("X-Emulator-Scenario"));
        Assert.Null(record.Scenario);
    }

    [GeneratedRegex(@"^qwen-proxy/\d+\.\d+\.\d+\S*$")]
    private static partial Regex ProxyUserAgent();
}
