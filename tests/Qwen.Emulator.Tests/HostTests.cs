using System.Text.Json;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class HostTests
{
    [Fact]
    public async Task Host_binds_loopback_on_a_free_port_and_says_what_it_is()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.Seed = 7);

        Assert.Equal("127.0.0.1", emulator.Host.BaseUrl.Host);
        Assert.NotEqual(0, emulator.Host.BaseUrl.Port);
        var root = JsonDocument.Parse(await emulator.Client.GetStringAsync("/", emulator.Ct)).RootElement;
        Assert.Equal("qwen-emulator", root.GetProperty("name").GetString());
        Assert.Equal(7, root.GetProperty("seed").GetInt32());
    }

    [Fact]
    public async Task H2c_port_serves_chat_over_http2_without_tls_beside_the_http1_port()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.H2cPort = 0);
        using var client = new HttpClient { BaseAddress = emulator.Host.H2cBaseUrl };
        using var request = TestEmulator.ChatRequest("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""");
        request.Version = System.Net.HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var h2 = await client.SendAsync(request, emulator.Ct);
        var (h1, _) = await emulator.ChatAsync("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal((System.Net.HttpStatusCode.OK, new Version(2, 0)), (h2.StatusCode, h2.Version));
        Assert.Equal((System.Net.HttpStatusCode.OK, new Version(1, 1)), (h1.StatusCode, h1.Version));
        Assert.Equal(["HTTP/2", "HTTP/1.1"], emulator.State.Requests.Select(r => r.Protocol));
        Assert.NotEqual(emulator.Host.BaseUrl.Port, emulator.Host.H2cBaseUrl!.Port);
        await using var plain = await TestEmulator.StartAsync();
        Assert.Null(plain.Host.H2cBaseUrl);
    }

    [Fact]
    public async Task Two_hosts_run_side_by_side_with_separate_state()
    {
        await using var first = await TestEmulator.StartAsync();
        await using var second = await TestEmulator.StartAsync();

        await first.ChatAsync("{}");

        Assert.NotEqual(first.Host.BaseUrl, second.Host.BaseUrl);
        Assert.Equal((1, 0), (first.State.ChatRequestCount, second.State.ChatRequestCount));
    }

    [Fact]
    public async Task Bad_default_scenario_stops_start_up()
    {
        var options = new EmulatorOptions { DefaultScenario = "chunks=lots" };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => EmulatorHost.StartAsync(options));

        Assert.StartsWith("Bad emulator scenario: bad value 'lots' for scenario key 'chunks'", error.Message);
    }

    [Fact]
    public async Task Resource_url_template_gets_the_bound_port()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.ResourceUrl = "http://127.0.0.1:{port}");

        Assert.Equal($"http://127.0.0.1:{emulator.Host.BaseUrl.Port}", emulator.State.IssueToken().ResourceUrl);
    }
}
