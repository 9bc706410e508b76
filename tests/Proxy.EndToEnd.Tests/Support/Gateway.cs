using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Proxy.Web;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Support;

/// <summary>
/// The emulator and a real proxy (Kestrel on a free loopback port) in front of it, in API-key
/// mode, as a client meets them. The emulator's run scenario can be changed between requests.
/// </summary>
internal sealed class Gateway : IAsyncDisposable
{
    public const string UpstreamKey = "sk-upstream-e2e-0001";

    private readonly StringWriter _log;
    private readonly TextWriter _logWriter;

    private Gateway(EmulatorHost emulator, EmulatorOptions emulatorOptions, WebApplication proxy, Uri proxyBase, StringWriter log, TextWriter logWriter)
    {
        Emulator = emulator;
        EmulatorOptions = emulatorOptions;
        Proxy = proxy;
        ProxyBase = proxyBase;
        _log = log;
        _logWriter = logWriter;
        Client = new HttpClient { BaseAddress = proxyBase, Timeout = TimeSpan.FromSeconds(60) };
    }

    public EmulatorHost Emulator { get; }

    public EmulatorOptions EmulatorOptions { get; }

    public WebApplication Proxy { get; }

    public Uri ProxyBase { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// What the proxy has logged so far. Read under the lock of the synchronized writer the proxy logs
    /// through, so a line written at the same moment (the request's completion line) cannot tear it.
    /// </summary>
    public string LogText
    {
        get
        {
            lock (_logWriter)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The scenario the emulator plays for every request of this gateway (see the emulator's README).</summary>
    public string? Scenario => EmulatorOptions.DefaultScenario;

    /// <param name="upstreamHttp2">The emulator also serves HTTP/2 without TLS, and the proxy reaches it there with UPSTREAM_HTTP_VERSION=2.</param>
    /// <param name="nativeResponses">UPSTREAM_RESPONSES_URL points at the emulator's own /v1/responses.</param>
    /// <param name="nativeMessages">UPSTREAM_MESSAGES_URL points at the emulator's own Anthropic /v1/messages.</param>
    public static async Task<Gateway> StartAsync(
        string? scenario = null,
        IDictionary<string, string?>? environment = null,
        Action<EmulatorOptions>? emulator = null,
        bool upstreamHttp2 = false,
        bool nativeResponses = false,
        bool nativeMessages = false)
    {
        var emulatorOptions = new EmulatorOptions { Seed = 7, DefaultScenario = scenario, H2cPort = upstreamHttp2 ? 0 : null };
        emulatorOptions.ApiKeys.Add(UpstreamKey);
        emulator?.Invoke(emulatorOptions);
        var host = await EmulatorHost.StartAsync(emulatorOptions);

        var env = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["SERVER_HOST"] = "127.0.0.1",
            ["SERVER_PORT"] = "0",
            ["RATE_LIMIT_RPS"] = "0",
            ["LOG_LEVEL"] = "debug",
            ["QWEN_DIR"] = Path.Combine(Path.GetTempPath(), "proxy-e2e-" + Guid.NewGuid().ToString("N")),
            ["UPSTREAM_BASE_URL"] = new Uri(host.H2cBaseUrl ?? host.BaseUrl, "/v1").ToString(),
            ["UPSTREAM_API_KEY"] = UpstreamKey,
        };
        if (nativeResponses)
        {
            env["UPSTREAM_RESPONSES_URL"] = new Uri(host.H2cBaseUrl ?? host.BaseUrl, "/v1/responses").ToString();
        }

        if (nativeMessages)
        {
            env["UPSTREAM_MESSAGES_URL"] = new Uri(host.H2cBaseUrl ?? host.BaseUrl, "/v1/messages").ToString();
        }

        if (host.H2cBaseUrl is not null)
        {
            env["UPSTREAM_HTTP_VERSION"] = "2";
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        var log = new StringWriter();
        var logWriter = TextWriter.Synchronized(log);
        var app = ProxyHost.Build([], null, new ProxyHostOverrides
        {
            Environment = env,
            AppSettingsPath = Path.Combine(Path.GetTempPath(), "proxy-e2e-no-appsettings.json"),
            LogOutput = logWriter,
        });
        await app.StartAsync();
        return new Gateway(host, emulatorOptions, app, new Uri(app.Urls.First()), log, logWriter);
    }

    public static HttpRequestMessage ChatRequest(bool stream, string extraFields = "", string path = "/v1/chat/completions")
    {
        var body = $$"""{"model":"qwen3-coder-plus","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hi"}]{{extraFields}}}""";
        return new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Proxy.StopAsync();
        await Proxy.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
