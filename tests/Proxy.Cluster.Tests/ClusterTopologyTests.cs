using System.Diagnostics;
using System.Net;
using System.Text;
using Proxy.Actors.Auth;
using Proxy.Cluster.Tests.Support;
using Qwen.Emulator;
using Xunit.Abstractions;

namespace Proxy.Cluster.Tests;

/// <summary>Real processes: three proxies in cluster mode on one database, nginx (docker/nginx.conf) in front, the emulator behind.</summary>
public sealed class ClusterTopologyTests
{
    private readonly ITestOutputHelper _output;

    public ClusterTopologyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Nginx_keeps_answering_through_the_others_when_one_of_three_proxies_is_killed_and_serves_it_again_after_restart()
    {
        await using var cluster = await ClusterTopology.StartAsync(3, new EmulatorOptions());
        using var client = NewClient(cluster.Nginx.BaseUrl, connections: 64);

        var before = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => StatusAsync(client, "/v1/models")));
        await cluster.Proxies[1].KillAsync();
        var during = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => StatusAsync(client, "/v1/models")));
        var restart = Stopwatch.StartNew();
        await cluster.Proxies[1].RestartAsync();
        restart.Stop();
        using var direct = NewClient(cluster.Proxies[1].BaseUrl, connections: 4);

        Assert.All(before, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.All(during, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(direct, "/v1/models"));
        _output.WriteLine($"restart to healthy: {restart.ElapsedMilliseconds} ms");
    }

    [Fact(Skip = "Needs ProxyHost to serve /v1/chat/completions through the token manager with cluster mode registered (PROXY_POSTGRES); remove this Skip when main has it.")]
    public async Task Three_proxies_behind_nginx_refresh_an_expired_token_once_lose_only_the_killed_ones_streams_and_restart_with_the_current_token()
    {
        await using var cluster = await ClusterTopology.StartAsync(
            3,
            new EmulatorOptions(),
            seed: emulator =>
            {
                var issued = emulator.State.IssueToken();
                return new QwenCredentials(issued.AccessToken, issued.RefreshToken, "Bearer", issued.ResourceUrl, DateTimeOffset.UtcNow.AddMinutes(-1));
            });
        using var client = NewClient(cluster.Nginx.BaseUrl, connections: 400);

        // 1. Expired token, 300 concurrent streams: exactly one refresh at the emulator, all succeed.
        var load = Stopwatch.StartNew();
        var first = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => StreamAsync(client, "chunks=8", TimeSpan.FromSeconds(60))));
        load.Stop();
        Assert.True(first.All(r => r == StreamEnd.Done), Summary(first) + "\n" + cluster.Output);
        Assert.Equal(1, cluster.Emulator.State.RefreshCount);
        var latencies = first.Length;
        _output.WriteLine($"300 concurrent streams through nginx, token expired: {load.ElapsedMilliseconds} ms, {Summary(first)}, refreshes {cluster.Emulator.State.RefreshCount}");

        // 2. One instance killed mid-load: only its streams fail, none hangs; every later request succeeds.
        var slow = Enumerable.Range(0, 90).Select(_ => StreamAsync(client, "chunks=40;delay_ms=50", TimeSpan.FromSeconds(30))).ToArray();
        await WaitForActiveStreamsAsync(cluster.Emulator, 60);
        await cluster.Proxies[1].KillAsync();
        var midLoad = await Task.WhenAll(slow);
        Assert.DoesNotContain(StreamEnd.Hung, midLoad);
        Assert.Contains(StreamEnd.Done, midLoad);
        var after = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => StreamAsync(client, "chunks=4", TimeSpan.FromSeconds(30))));
        Assert.True(after.All(r => r == StreamEnd.Done), Summary(after));
        _output.WriteLine($"kill mid-load: {Summary(midLoad)}; after the kill: {Summary(after)}");

        // 3. The restarted instance serves with the current token at once: no refresh, no login.
        var restart = Stopwatch.StartNew();
        await cluster.Proxies[1].RestartAsync();
        using var direct = NewClient(cluster.Proxies[1].BaseUrl, connections: 4);
        Assert.Equal(StreamEnd.Done, await StreamAsync(direct, "chunks=4", TimeSpan.FromSeconds(30)));
        restart.Stop();
        Assert.Equal(1, cluster.Emulator.State.RefreshCount);
        _output.WriteLine($"restart to first served stream: {restart.ElapsedMilliseconds} ms; {latencies} streams in step 1");
    }

    private static HttpClient NewClient(Uri baseUrl, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }

    private static async Task<StreamEnd> StreamAsync(HttpClient client, string scenario, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"qwen3-coder-plus","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Emulator-Scenario", scenario);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return StreamEnd.Refused;
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return body.Contains("data: [DONE]", StringComparison.Ordinal) ? StreamEnd.Done : StreamEnd.Error;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return StreamEnd.Hung;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return StreamEnd.Error;
        }
    }

    private static async Task WaitForActiveStreamsAsync(EmulatorHost emulator, int count) =>
        await Eventually.TrueAsync(() => Task.FromResult(emulator.State.ActiveChatRequests >= count), $"{count} streams are open at the emulator", TimeSpan.FromSeconds(30));

    private static string Summary(IEnumerable<StreamEnd> ends) =>
        string.Join(", ", ends.GroupBy(e => e).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"));

    private enum StreamEnd
    {
        Done,
        Error,
        Refused,
        Hung,
    }
}
