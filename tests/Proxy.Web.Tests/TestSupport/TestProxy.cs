using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Proxy.Web.Tests.TestSupport;

/// <summary>A real ProxyHost on 127.0.0.1 with a free port, an isolated environment and captured logs.</summary>
internal sealed class TestProxy : IAsyncDisposable
{
    private TestProxy(WebApplication app, LogCapture log, Uri baseAddress, HttpMessageHandler? handler)
    {
        App = app;
        Log = log;
        BaseAddress = baseAddress;
        Client = handler is null ? new HttpClient { BaseAddress = baseAddress } : new HttpClient(handler) { BaseAddress = baseAddress };
    }

    public WebApplication App { get; }

    public LogCapture Log { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The environment every test proxy starts from: loopback, free port, no rate limit.</summary>
    public static Dictionary<string, string?> BaseEnvironment() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["SERVER_HOST"] = "127.0.0.1",
        ["SERVER_PORT"] = "0",
        ["RATE_LIMIT_RPS"] = "0",
        ["QWEN_DIR"] = Path.Combine(Path.GetTempPath(), "proxy-web-tests-qwen"),
    };

    public static async Task<TestProxy> StartAsync(
        IDictionary<string, string?>? environment = null,
        Action<IServiceCollection>? services = null,
        string[]? args = null,
        HttpMessageHandler? handler = null)
    {
        var env = BaseEnvironment();
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var log = new LogCapture();
        var app = ProxyHost.Build(args ?? [], services, new ProxyHostOverrides
        {
            Environment = env,
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-web-tests-no-appsettings.json"),
            LogOutput = log,
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        return new TestProxy(app, log, address, handler);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
