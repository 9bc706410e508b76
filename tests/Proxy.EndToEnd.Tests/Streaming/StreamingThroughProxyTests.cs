using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Streaming;

/// <summary>What a client reading SSE from the proxy gets, with the emulator as the upstream.</summary>
public sealed partial class StreamingThroughProxyTests
{
    [Fact]
    public async Task Clean_stream_reaches_the_client_byte_for_byte()
    {
        await using var gateway = await Gateway.StartAsync("chunks=12;chunk_chars=5;usage=true");

        var direct = await DirectAsync(gateway, stream: true, extra: ",\"stream_options\":{\"include_usage\":true}");
        var (status, proxied) = await ProxiedAsync(gateway, stream: true, extra: ",\"stream_options\":{\"include_usage\":true}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Normalise(direct), Normalise(proxied));
        Assert.EndsWith("data: [DONE]\n\n", proxied, StringComparison.Ordinal);
        Assert.Contains("\"choices\":[]", proxied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clean_stream_that_looks_like_stutter_is_not_changed()
    {
        await using var gateway = await Gateway.StartAsync("stutter=tricky");

        var direct = await DirectAsync(gateway, stream: true);
        var (_, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(Sse.Deltas(direct), Sse.Deltas(proxied));
        Assert.Equal(Normalise(direct), Normalise(proxied));
    }

    [Theory]
    [InlineData("chunks=10;chunk_chars=6;stutter=cumulative:4")]
    [InlineData("chunks=10;chunk_chars=6;stutter=cumulative_all")]
    public async Task Stuttering_stream_reaches_the_client_as_clean_deltas(string scenario)
    {
        await using var gateway = await Gateway.StartAsync(scenario);
        var truth = EmulatorText.ForScenario(scenario, 7);

        var direct = await DirectAsync(gateway, stream: true);
        var (_, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.NotEqual(truth, Sse.Text(direct)); // the upstream really stutters
        Assert.Equal(truth, Sse.Text(proxied));
        Assert.EndsWith("data: [DONE]\n\n", proxied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_in_the_middle_of_a_stream_ends_with_an_error_event_and_no_done()
    {
        await using var gateway = await Gateway.StartAsync("chunks=8;fault=reset_mid:3");

        var (status, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("[DONE]", proxied, StringComparison.Ordinal);
        var last = Sse.Data(proxied)[^1];
        using var error = JsonDocument.Parse(last);
        Assert.Equal("upstream_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stream_that_ends_without_done_after_its_finish_delivers_every_character()
    {
        const string scenario = "chunks=6;stutter=cumulative:3;fault=no_done";
        await using var gateway = await Gateway.StartAsync(scenario);

        var (_, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), Sse.Text(proxied));
        Assert.EndsWith("data: [DONE]\n\n", proxied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream_client_error_before_the_stream_is_relayed_with_its_status_and_not_retried()
    {
        await using var gateway = await Gateway.StartAsync("fault=400");

        var (status, body) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        using var error = JsonDocument.Parse(body);
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task Upstream_server_error_before_the_stream_is_retried_then_answered_502_never_200()
    {
        await using var gateway = await Gateway.StartAsync("fault=500");

        var (status, body) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        using var error = JsonDocument.Parse(body);
        Assert.Equal("upstream_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(4, gateway.Emulator.State.ChatRequestCount); // the first attempt and three retries
    }

    [Fact]
    public async Task Silence_inside_a_stream_is_bridged_with_keep_alive_comments()
    {
        const string scenario = "chunks=4;fault=stall_mid:2:1200";
        await using var gateway = await Gateway.StartAsync(scenario, new Dictionary<string, string?> { ["STREAM_KEEPALIVE_SECONDS"] = "0.2" });

        var (_, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.Contains(": keep-alive\n\n", proxied, StringComparison.Ordinal);
        Assert.Equal(EmulatorText.ForScenario(scenario, 7), Sse.Text(proxied));
        Assert.EndsWith("data: [DONE]\n\n", proxied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silence_longer_than_the_read_timeout_ends_the_stream_with_a_timeout_error_event()
    {
        await using var gateway = await Gateway.StartAsync("chunks=4;fault=stall_mid:2:8000", new Dictionary<string, string?> { ["READ_TIMEOUT_SECONDS"] = "1" });

        var (status, proxied) = await ProxiedAsync(gateway, stream: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("[DONE]", proxied, StringComparison.Ordinal);
        using var error = JsonDocument.Parse(Sse.Data(proxied)[^1]);
        Assert.Equal("upstream_timeout", error.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_call_within_100_ms()
    {
        await using var gateway = await Gateway.StartAsync("chunks=400;delay_ms=25");

        // A client that goes away closes its connection at once (no draining of the unread body).
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.ProxyBase };
        var response = await client.SendAsync(Gateway.ChatRequest(stream: true), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        Assert.True(await body.ReadAsync(buffer) > 0);
        var record = gateway.Emulator.State.Requests.Single();

        var disconnectedAt = DateTimeOffset.UtcNow;
        response.Dispose();
        var finished = await record.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(finished.Cancelled, finished.ToString());
        var latency = finished.CancelledAt!.Value - disconnectedAt;
        Assert.True(latency < TimeSpan.FromMilliseconds(100), $"the upstream saw the cancel after {latency.TotalMilliseconds:0.0} ms");
        Assert.True(finished.EventsSent < 400);
    }

    [Fact]
    public async Task Legacy_completions_stream_in_the_text_completion_shape()
    {
        const string scenario = "chunks=5";
        await using var gateway = await Gateway.StartAsync(scenario);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = new StringContent("""{"model":"qwen3-coder-plus","prompt":"say hi","stream":true}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };

        using var response = await gateway.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = new StringBuilder();
        foreach (var data in Sse.Data(body).Where(d => d != "[DONE]"))
        {
            using var chunk = JsonDocument.Parse(data);
            Assert.Equal("text_completion", chunk.RootElement.GetProperty("object").GetString());
            var choices = chunk.RootElement.GetProperty("choices");
            if (choices.GetArrayLength() > 0)
            {
                text.Append(choices[0].GetProperty("text").GetString());
            }
        }

        Assert.Equal(EmulatorText.ForScenario(scenario, 7), text.ToString());
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_streaming_server_errors_are_answered_502_after_retries_never_200()
    {
        await using var gateway = await Gateway.StartAsync("fault=503");

        var (status, body) = await ProxiedAsync(gateway, stream: false);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("\"type\":\"upstream_error\"", body, StringComparison.Ordinal);
        Assert.Equal(4, gateway.Emulator.State.ChatRequestCount);
    }

    private static async Task<string> DirectAsync(Gateway gateway, bool stream, string extra = "")
    {
        using var client = new HttpClient { BaseAddress = gateway.Emulator.BaseUrl };
        using var request = Gateway.ChatRequest(stream, extra);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Gateway.UpstreamKey);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body)> ProxiedAsync(Gateway gateway, bool stream, string extra = "")
    {
        using var request = Gateway.ChatRequest(stream, extra);
        using var response = await gateway.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Ids and timestamps differ per request; everything else must be identical.</summary>
    private static string Normalise(string sse) => Created().Replace(Id().Replace(sse, "\"id\":\"X\""), "\"created\":0");

    [GeneratedRegex("\"id\":\"chatcmpl-[^\"]*\"")]
    private static partial Regex Id();

    [GeneratedRegex("\"created\":\\d+")]
    private static partial Regex Created();
}
