using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Qwen.Emulator.Tests.Support;

/// <summary>An in-process emulator with a client and an API key, for one test.</summary>
internal sealed class TestEmulator : IAsyncDisposable
{
    public const string ApiKey = "test-key-1234";

    /// <summary>Where every test's clock starts.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private TestEmulator(EmulatorHost host, FakeTimeProvider clock, EmulatorOptions options)
    {
        Host = host;
        Clock = clock;
        Options = options;
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero, UseProxy = false, MaxResponseDrainSize = 0 })
        {
            BaseAddress = host.BaseUrl,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public EmulatorHost Host { get; }

    public EmulatorState State => Host.State;

    /// <summary>The emulator's clock: it moves only when the test advances it.</summary>
    public FakeTimeProvider Clock { get; }

    public EmulatorOptions Options { get; }

    public HttpClient Client { get; }

    /// <summary>Cancels after 30 s, so a broken test fails instead of hanging.</summary>
    public CancellationToken Ct => _timeout.Token;

    public static async Task<TestEmulator> StartAsync(Action<EmulatorOptions>? configure = null)
    {
        var clock = new FakeTimeProvider(Epoch);
        var options = new EmulatorOptions { TimeProvider = clock };
        options.ApiKeys.Add(ApiKey);
        configure?.Invoke(options);
        var host = await EmulatorHost.StartAsync(options);
        return new TestEmulator(host, clock, options);
    }

    public static long CreatedAt => Epoch.ToUnixTimeSeconds();

    public static HttpRequestMessage ChatRequest(string body, string? scenario = null, string? bearer = ApiKey, string path = "/v1/chat/completions")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (scenario is not null)
        {
            request.Headers.Add("X-Emulator-Scenario", scenario);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    /// <summary>Sends a chat request and reads the whole answer.</summary>
    public async Task<(HttpResponseMessage Response, string Body)> ChatAsync(string body, string? scenario = null, string? bearer = ApiKey, string path = "/v1/chat/completions")
    {
        using var request = ChatRequest(body, scenario, bearer, path);
        var response = await Client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response, text);
    }

    public async Task<string> StreamAsync(string? scenario = null, string model = "qwen3-coder-plus", bool includeUsage = false)
    {
        var body = includeUsage
            ? $$"""{"model":"{{model}}","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""
            : $$"""{"model":"{{model}}","stream":true,"messages":[{"role":"user","content":"hi"}]}""";
        var (response, text) = await ChatAsync(body, scenario);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        _timeout.Dispose();
    }
}
