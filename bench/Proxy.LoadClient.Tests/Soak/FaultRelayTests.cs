using Proxy.LoadClient.Load;
using Proxy.LoadClient.Soak;
using Proxy.LoadClient.Tests.Load;

namespace Proxy.LoadClient.Tests.Soak;

public sealed class FaultRelayTests(StubFixture stub) : IClassFixture<StubFixture>
{
    [Fact]
    public async Task Marked_scenario_reaches_the_upstream_as_its_header()
    {
        await using var relay = await FaultRelay.StartAsync(0, new Uri(stub.Target.ChatUri, "/"), CancellationToken.None);
        using var client = HttpClients.Create(4);
        var target = new LoadTarget(PathKind.Proxy, new Uri(relay.Address, "/v1/chat/completions"));

        // The stub's run default is 3 chunks; the relay's header asks for 5. The client's own header is not sent.
        var marked = await RequestRunner.SendAsync(client, target,
            new ChatRequest("m", true, StubFixture.Key, null, FaultRelay.Marker("chunks=5")), CancellationToken.None);
        var plain = await RequestRunner.SendAsync(client, target, new ChatRequest("m", true, StubFixture.Key, null), CancellationToken.None);

        Assert.Equal((true, 200, 5), (marked.Ok, marked.Status, marked.Events));
        Assert.Equal((true, 200, 3), (plain.Ok, plain.Status, plain.Events));
    }

    [Fact]
    public async Task Status_and_body_are_relayed()
    {
        await using var relay = await FaultRelay.StartAsync(0, new Uri(stub.Target.ChatUri, "/"), CancellationToken.None);
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, new LoadTarget(PathKind.Proxy, new Uri(relay.Address, "/v1/chat/completions")),
            new ChatRequest("m", false, "wrong-key", null), CancellationToken.None);

        Assert.Equal((false, 401, "HTTP 401", "invalid_api_key"), (sample.Ok, sample.Status, sample.Error, sample.ErrorCode));
    }

    [Fact]
    public async Task Upstream_that_cannot_be_reached_is_a_broken_connection_not_an_answer()
    {
        // A port that was just free: nothing listens there.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nobody = new Uri($"http://127.0.0.1:{port}/");
        await using var relay = await FaultRelay.StartAsync(0, nobody, CancellationToken.None);
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, new LoadTarget(PathKind.Proxy, new Uri(relay.Address, "/v1/chat/completions")),
            new ChatRequest("m", true, StubFixture.Key, null), CancellationToken.None);

        Assert.False(sample.Ok);
        Assert.Equal(0, sample.Status);
        Assert.StartsWith("HttpRequestException before the response", sample.Error, StringComparison.Ordinal);
    }
}
