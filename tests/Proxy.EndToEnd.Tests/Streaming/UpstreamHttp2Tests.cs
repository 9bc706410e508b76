using System.Net;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Streaming;

/// <summary>UPSTREAM_HTTP_VERSION: the proxy speaks HTTP/2 to an upstream that only speaks HTTP/2 (h2c), streams included.</summary>
public sealed class UpstreamHttp2Tests
{
    [Fact]
    public async Task With_UPSTREAM_HTTP_VERSION_2_streams_and_plain_requests_reach_an_h2c_upstream_over_http2()
    {
        const string Scenario = "chunks=6";
        await using var gateway = await Gateway.StartAsync(Scenario, upstreamHttp2: true);

        var streams = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            using var response = await gateway.Client.SendAsync(Gateway.ChatRequest(stream: true));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        using var plain = await gateway.Client.SendAsync(Gateway.ChatRequest(stream: false));

        Assert.All(streams, s => Assert.Equal(HttpStatusCode.OK, s.StatusCode));
        Assert.All(streams, s => Assert.Equal(EmulatorText.ForScenario(Scenario, 7), Sse.Text(s.Body)));
        Assert.All(streams, s => Assert.Equal("[DONE]", Sse.Data(s.Body)[^1]));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(["HTTP/2", "HTTP/2", "HTTP/2", "HTTP/2"], gateway.Emulator.State.Requests.Select(r => r.Protocol));
    }

    [Fact]
    public async Task By_default_a_plain_http_upstream_is_reached_over_http1()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2");

        using var response = await gateway.Client.SendAsync(Gateway.ChatRequest(stream: true));
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["HTTP/1.1"], gateway.Emulator.State.Requests.Select(r => r.Protocol));
    }
}
