using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Tests.Load;

public sealed class RequestRunnerTests(StubFixture stub) : IClassFixture<StubFixture>
{
    [Fact]
    public async Task Stream_is_read_to_done_with_every_event_counted()
    {
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", true, StubFixture.Key, "chunks=5;delay_ms=0"),
            new ReadMode(RecordGaps: true), CancellationToken.None);

        Assert.True(sample.Ok, sample.Error);
        Assert.Equal(200, sample.Status);
        Assert.Equal(5, sample.Events);
        Assert.Equal(4, sample.Gaps.Count);
        Assert.NotNull(sample.FirstTokenMs);
        Assert.InRange(sample.FirstByteMs, 0, sample.TotalMs);
    }

    [Fact]
    public async Task Run_default_scenario_applies_without_the_header()
    {
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", true, StubFixture.Key, null), CancellationToken.None);

        Assert.Equal(3, sample.Events);
    }

    [Fact]
    public async Task Non_streaming_answer_is_ok_without_events()
    {
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", false, StubFixture.Key, null), CancellationToken.None);

        Assert.True(sample.Ok, sample.Error);
        Assert.Equal(0, sample.Events);
        Assert.Null(sample.FirstTokenMs);
    }

    [Fact]
    public async Task Wrong_key_is_an_error_with_the_status()
    {
        using var client = HttpClients.Create(4);

        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", true, "wrong", null), CancellationToken.None);

        Assert.False(sample.Ok);
        Assert.Equal(401, sample.Status);
        Assert.Equal("HTTP 401", sample.Error);
    }

    [Fact]
    public async Task Stopping_at_the_first_token_gives_up_the_rest()
    {
        using var client = HttpClients.Create(4);

        // The first event carries text; the next would come a minute later.
        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", true, StubFixture.Key, "chunks=10;delay_ms=60000"),
            ReadMode.FirstToken, CancellationToken.None);

        Assert.True(sample.Ok, sample.Error);
        Assert.NotNull(sample.FirstTokenMs);
        Assert.Equal(1, sample.Events);
    }

    [Fact]
    public async Task Nothing_listening_is_an_error_before_the_response()
    {
        using var client = HttpClients.Create(4);
        var closed = LoadTarget.For(PathKind.Proxy, 1);

        var sample = await RequestRunner.SendAsync(client, closed, new ChatRequest("m", true, StubFixture.Key, null), CancellationToken.None);

        Assert.False(sample.Ok);
        Assert.Equal(0, sample.Status);
        Assert.StartsWith("HttpRequestException before the response: ", sample.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gauge_counts_streams_open_at_once()
    {
        using var client = HttpClients.Create(int.MaxValue);
        var gauge = new StreamGauge();
        var request = new ChatRequest("m", true, StubFixture.Key, "chunks=2;delay_ms=0");

        var samples = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            RequestRunner.SendAsync(client, stub.Target, request, new ReadMode(Gauge: gauge), CancellationToken.None)));

        Assert.All(samples, s => Assert.True(s.Ok, s.Error));
        Assert.Equal(0, gauge.Open);
        Assert.Equal(8, gauge.Settled);
        Assert.InRange(gauge.Peak, 1, 8);
    }

    [Fact]
    public async Task Gauge_settles_a_stream_that_never_opened()
    {
        using var client = HttpClients.Create(4);
        var gauge = new StreamGauge();

        await RequestRunner.SendAsync(client, LoadTarget.For(PathKind.Proxy, 1), new ChatRequest("m", true, StubFixture.Key, null),
            new ReadMode(Gauge: gauge), CancellationToken.None);

        Assert.Equal((0, 0, 1), (gauge.Open, gauge.Peak, gauge.Settled));
    }

    [Fact]
    public async Task Stream_released_before_its_headers_is_an_error()
    {
        using var client = HttpClients.Create(4);
        using var release = new CancellationTokenSource();
        await release.CancelAsync();
        var gauge = new StreamGauge();

        var sample = await RequestRunner.SendAsync(client, stub.Target, new ChatRequest("m", true, StubFixture.Key, null),
            new ReadMode(Gauge: gauge, Release: release.Token), CancellationToken.None);

        Assert.False(sample.Ok);
        Assert.True(sample.Released);
        Assert.Equal("still waiting for headers when released", sample.Error);
        Assert.Equal(1, gauge.Settled);
    }
}
