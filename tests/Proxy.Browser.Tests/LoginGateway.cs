using Microsoft.AspNetCore.Builder;
using Proxy.Web;
using Qwen.Emulator;

namespace Proxy.Browser.Tests;

/// <summary>
/// The emulator approving every device code at once, and a real proxy on a free loopback port
/// logging in to it (Qwen OAuth mode), with or without client keys, in its own credential folder.
/// </summary>
internal sealed class LoginGateway : IAsyncDisposable
{
    private readonly string _qwenDir;

    private LoginGateway(EmulatorHost emulator, WebApplication proxy, Uri proxyBase, string qwenDir)
    {
        Emulator = emulator;
        Proxy = proxy;
        ProxyBase = proxyBase;
        _qwenDir = qwenDir;
    }

    public EmulatorHost Emulator { get; }

    public WebApplication Proxy { get; }

    public Uri ProxyBase { get; }

    public string CredentialFile => Path.Combine(_qwenDir, "oauth_creds.json");

    public static async Task<LoginGateway> StartAsync(string? clientKey)
    {
        var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Port = 0, Seed = 7, AutoApproveDeviceCodes = true });
        var qwenDir = Path.Combine(Path.GetTempPath(), "proxy-browser-" + Guid.NewGuid().ToString("N"));
        var env = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["SERVER_HOST"] = "127.0.0.1",
            ["SERVER_PORT"] = "0",
            ["RATE_LIMIT_RPS"] = "0",
            ["QWEN_DIR"] = qwenDir,
            ["QWEN_OAUTH_BASE_URL"] = emulator.BaseUrl.ToString().TrimEnd('/'),
        };
        if (clientKey is not null)
        {
            env["PROXY_API_KEYS"] = clientKey;
        }

        var app = ProxyHost.Build([], null, new ProxyHostOverrides
        {
            Environment = env,
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-browser-no-appsettings.json"),
            LogOutput = TextWriter.Null,
        });
        await app.StartAsync();
        return new LoginGateway(emulator, app, new Uri(app.Urls.First()), qwenDir);
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.StopAsync();
        await Proxy.DisposeAsync();
        await Emulator.DisposeAsync();
        if (Directory.Exists(_qwenDir))
        {
            Directory.Delete(_qwenDir, recursive: true);
        }
    }
}
