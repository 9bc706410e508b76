using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Configuration;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Hosting;

public sealed class ProxyHostTests
{
    [Fact]
    public async Task Host_serves_health_on_a_free_loopback_port()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/health");

        Assert.Equal("127.0.0.1", proxy.BaseAddress.Host);
        Assert.NotEqual(0, proxy.BaseAddress.Port);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Build_with_a_bad_value_throws_before_anything_starts()
    {
        var error = Assert.Throws<ProxyConfigurationException>(() => ProxyHost.Build(["--SERVER_PORT", "eighty"]));

        Assert.Equal("Invalid configuration: SERVER_PORT must be a whole number from 0 to 65535, got 'eighty'.", error.Message);
    }

    [Fact]
    public async Task Main_prints_one_line_and_exits_2_on_a_bad_value()
    {
        using var stderr = new StringWriter();

        var exit = await Program.RunAsync(["--LOG_FORMAT=xml"], stderr, CancellationToken.None, Isolated());

        Assert.Equal(2, exit);
        Assert.Equal("Invalid configuration: LOG_FORMAT must be 'text' or 'json', got 'xml'." + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public async Task Main_stops_on_a_bad_STUTTER_REPAIR_instead_of_repairing_anyway()
    {
        using var stderr = new StringWriter();

        var exit = await Program.RunAsync(["--STUTTER_REPAIR=maybe"], stderr, CancellationToken.None, Isolated());

        Assert.Equal(2, exit);
        Assert.Equal("Invalid configuration: STUTTER_REPAIR must be true or false, got 'maybe'." + Environment.NewLine, stderr.ToString());
    }

    [Fact]
    public async Task Main_refuses_a_public_bind_without_keys_with_exit_2()
    {
        using var stderr = new StringWriter();

        var exit = await Program.RunAsync(["--SERVER_HOST=0.0.0.0"], stderr, CancellationToken.None, Isolated());

        Assert.Equal(2, exit);
        Assert.StartsWith("Refusing to start: SERVER_HOST=0.0.0.0 is reachable from other machines and PROXY_API_KEYS is empty", stderr.ToString());
    }

    [Fact]
    public async Task Main_prints_one_line_and_exits_2_when_the_port_is_taken()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;
        using var stderr = new StringWriter();
        using var log = new StringWriter();
        var overrides = new ProxyHostOverrides
        {
            Environment = new Dictionary<string, string?> { ["QWEN_DIR"] = Path.Combine(Path.GetTempPath(), "proxy-busy-" + Guid.NewGuid().ToString("N")) },
            AppSettingsPath = "/nonexistent/appsettings.json",
            LogOutput = log,
        };

        var exit = await Program.RunAsync(["--SERVER_PORT", port.ToString(CultureInfo.InvariantCulture)], stderr, CancellationToken.None, overrides);

        Assert.Equal(2, exit);
        Assert.Equal(
            $"Cannot listen on 127.0.0.1:{port} (SERVER_HOST, SERVER_PORT): the address is already in use; stop what holds it or choose another SERVER_PORT." + Environment.NewLine,
            stderr.ToString());
        Assert.DoesNotContain("   at ", log.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_subcommand_runs_the_registered_command()
    {
        using var stderr = new StringWriter();
        string[]? received = null;
        Program.LoginCommand = (args, _) =>
        {
            received = args;
            return Task.FromResult(7);
        };
        try
        {
            var exit = await Program.RunAsync(["login", "--QWEN_DIR", "/tmp/x"], stderr, CancellationToken.None);

            Assert.Equal(7, exit);
            Assert.Equal(["--QWEN_DIR", "/tmp/x"], received!);
        }
        finally
        {
            Program.LoginCommand = null;
        }
    }

    [Fact]
    public async Task ConfigureServices_runs_last_and_replaces_defaults()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", Json("""{"model":"qwen3-coder-plus","messages":[]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(handler.Requests);
    }

    private static ProxyHostOverrides Isolated() => new()
    {
        Environment = new Dictionary<string, string?>(),
        AppSettingsPath = "/nonexistent/appsettings.json",
    };

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
