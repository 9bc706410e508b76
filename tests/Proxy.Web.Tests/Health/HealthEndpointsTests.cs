using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Health;
using Proxy.Web.RateLimiting;

namespace Proxy.Web.Tests.Health;

public sealed class HealthEndpointsTests
{
    private sealed class Probe(bool ready) : IReadinessProbe
    {
        public int Calls { get; private set; }

        public ReadinessReport Check()
        {
            Calls++;
            return new ReadinessReport(ready, ready ? "token valid for 3600 s" : "login required");
        }
    }

    private sealed class Accounts(DateTimeOffset expiresAt) : IAccountStatusProvider
    {
        public IReadOnlyList<AccountStatus> GetAccounts() =>
            [new AccountStatus("default", "valid", expiresAt, "refreshed 5 min ago")];
    }

    private sealed class Circuits(CircuitState state) : ICircuitStatusProvider
    {
        public IReadOnlyList<CircuitStatus> GetCircuits() =>
            [new CircuitStatus("default", state, 3, new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero))];
    }

    [Fact]
    public async Task Root_reports_name_version_and_uptime()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<TimeProvider>(time));
        time.Advance(TimeSpan.FromSeconds(90.5));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"name":"qwen-proxy","version":"0.1.0","uptime_seconds":90,"docs":"OpenAI-compatible API under /v1"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_is_503_while_no_credential_is_usable()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("not_ready", json.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void The_default_probe_vouches_only_for_an_api_key_upstream()
    {
        Assert.Equal(
            new ReadinessReport(false, "no credential source is running for the Qwen OAuth upstream"),
            new DefaultReadinessProbe(new Proxy.Web.Configuration.ProxyOptions()).Check());
        Assert.Equal(
            new ReadinessReport(true, "api-key upstream dashscope.example"),
            new DefaultReadinessProbe(new Proxy.Web.Configuration.ProxyOptions { UpstreamBaseUrl = new Uri("https://dashscope.example/v1"), UpstreamApiKey = "k" }).Check());
    }

    [Fact]
    public async Task Ready_follows_the_registered_probe()
    {
        var probe = new Probe(ready: true);
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IReadinessProbe>(probe));

        using var response = await proxy.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ready","detail":"token valid for 3600 s"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, probe.Calls);
    }

    [Fact]
    public async Task An_api_key_upstream_is_ready_by_default()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["UPSTREAM_BASE_URL"] = "https://dashscope.example/compatible-mode/v1",
            ["UPSTREAM_API_KEY"] = "sk-test-12345678",
        });

        using var response = await proxy.Client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Detailed_health_shows_accounts_circuits_streams_counters_and_memory()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var proxy = await TestProxy.StartAsync(services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<IReadinessProbe>(new Probe(ready: true));
            s.AddSingleton<IAccountStatusProvider>(new Accounts(time.GetUtcNow().AddMinutes(10)));
            s.AddSingleton<ICircuitStatusProvider>(new Circuits(CircuitState.HalfOpen));
        });
        using var slot = proxy.Services.GetRequiredService<StreamConcurrencyLimiter>().TryEnter();
        using (await proxy.Client.GetAsync("/missing"))
        {
        }

        await proxy.Log.WaitForLineAsync(l => l.Contains("GET /missing 404"));
        time.Advance(TimeSpan.FromSeconds(61));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/detailed");
        request.Headers.Add("X-Request-ID", "detail-1");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("degraded", root.GetProperty("status").GetString());
        Assert.Equal("0.1.0", root.GetProperty("version").GetString());
        Assert.Equal(61, root.GetProperty("uptime_seconds").GetInt64());
        Assert.Equal("detail-1", root.GetProperty("request_id").GetString());
        Assert.Equal("qwen_oauth", root.GetProperty("upstream_mode").GetString());
        Assert.Equal("""{"status":"ready","detail":"token valid for 3600 s"}""", root.GetProperty("readiness").GetRawText());
        Assert.Equal(
            """[{"id":"default","auth_state":"valid","expires_at":"2026-01-01T00:10:00+00:00","expires_in_seconds":539,"detail":"refreshed 5 min ago"}]""",
            root.GetProperty("accounts").GetRawText());
        Assert.Equal(
            """[{"account":"default","state":"half_open","consecutive_failures":3,"retry_at":"2026-01-01T00:01:00+00:00"}]""",
            root.GetProperty("circuits").GetRawText());
        Assert.Equal("""{"active":1,"limit":1000}""", root.GetProperty("streams").GetRawText());
        var counters = root.GetProperty("counters");
        Assert.Equal(1, counters.GetProperty("requests").GetInt64());
        Assert.Equal(1, counters.GetProperty("client_errors").GetInt64());
        Assert.Equal(1, counters.GetProperty("streams").GetInt64());
        Assert.True(root.GetProperty("memory").GetProperty("working_set_bytes").GetInt64() > 0);
        Assert.True(root.GetProperty("memory").GetProperty("gc_heap_bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task Detailed_health_is_ok_when_ready_and_all_circuits_closed()
    {
        await using var proxy = await TestProxy.StartAsync(services: s =>
        {
            s.AddSingleton<IReadinessProbe>(new Probe(ready: true));
            s.AddSingleton<ICircuitStatusProvider>(new Circuits(CircuitState.Closed));
        });

        using var response = await proxy.Client.GetAsync("/health/detailed");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", json.RootElement.GetProperty("status").GetString());
    }
}
