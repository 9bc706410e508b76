using Proxy.Web.Logging;

namespace Proxy.Web.Tests.Logging;

public sealed class SecretsTests
{
    [Theory]
    [InlineData(null, "(none)")]
    [InlineData("", "(none)")]
    [InlineData("short", "****")]
    [InlineData("1234567", "****")]
    [InlineData("sk-abcdefgh1234", "…1234")]
    public void Mask_shows_at_most_the_last_four(string? secret, string expected)
    {
        Assert.Equal(expected, Secrets.Mask(secret));
    }

    [Theory]
    [InlineData("Host=db;Username=proxy;Password=hunter2", "host=db;username=proxy;password=****")]
    [InlineData("postgres://proxy:hunter2@db:5432/qwen?sslmode=require", "postgres://proxy:****@db:5432/qwen")]
    [InlineData("Host=db", "host=db")]
    public void Connection_strings_lose_their_password(string connectionString, string expected)
    {
        Assert.Equal(expected, Secrets.MaskConnectionString(connectionString));
    }

    [Theory]
    [InlineData("https://dashscope.example/compatible-mode/v1", "https://dashscope.example/compatible-mode/v1")]
    [InlineData("https://user:pa55@upstream.example/v1", "https://****@upstream.example/v1")]
    [InlineData("https://upstream.example/v1?key=sk-123", "https://upstream.example/v1?****")]
    public void Urls_lose_user_info_and_query(string url, string expected)
    {
        Assert.Equal(expected, Secrets.MaskUrl(new Uri(url)));
    }

    [Fact]
    public void Allowing_an_unauthenticated_public_bind_is_warned_about_at_start()
    {
        var log = new LogCapture();

        var app = ProxyHost.Build([], null, new ProxyHostOverrides
        {
            Environment = new Dictionary<string, string?> { ["SERVER_HOST"] = "0.0.0.0", ["SERVER_PORT"] = "0", ["ALLOW_UNAUTHENTICATED"] = "true" },
            AppSettingsPath = "/nonexistent/appsettings.json",
            LogOutput = log,
        });
        ((IDisposable)app).Dispose();

        Assert.Contains(log.Lines, l => l.Contains(" WRN [-] Proxy.Web.ProxyHost: Starting without client keys on a non-loopback address (0.0.0.0) because ALLOW_UNAUTHENTICATED=true"));
    }

    [Fact]
    public async Task Startup_configuration_line_masks_every_secret()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["PROXY_API_KEYS"] = "client-key-secret-AAAA,client-key-secret-BBBB",
            ["UPSTREAM_BASE_URL"] = "https://upstream.example/v1?token=secret-in-url",
            ["UPSTREAM_API_KEY"] = "sk-upstream-secret-CCCC",
            ["PROXY_POSTGRES"] = "Host=db;Password=pg-secret-DDDD",
        });

        var line = await proxy.Log.WaitForLineAsync(l => l.Contains("Configuration: "));

        Assert.Contains("UPSTREAM_API_KEY=…CCCC", line);
        Assert.Contains("PROXY_API_KEYS=[…AAAA, …BBBB]", line);
        Assert.Contains("PROXY_POSTGRES=host=db;password=****", line);
        Assert.Contains("UPSTREAM_BASE_URL=https://upstream.example/v1?****", line);
        Assert.DoesNotContain("secret", proxy.Log.Text);
        Assert.Single(proxy.Log.Lines, l => l.Contains("Configuration: "));
    }
}
