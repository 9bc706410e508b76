using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Qwen.Emulator;

/// <summary>The emulator running in-process on 127.0.0.1, for tests and benchmarks.</summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    /// <summary>How long a stop waits for open streams before it cuts them.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

    private readonly WebApplication _app;
    private int _disposed;

    private EmulatorHost(WebApplication app, Uri baseUrl, Uri? h2cBaseUrl, EmulatorState state)
    {
        _app = app;
        BaseUrl = baseUrl;
        H2cBaseUrl = h2cBaseUrl;
        State = state;
    }

    /// <summary><c>http://127.0.0.1:{port}</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary><c>http://127.0.0.1:{h2c port}</c>, which speaks only HTTP/2 (see <see cref="EmulatorOptions.H2cPort"/>); null when not asked for.</summary>
    public Uri? H2cBaseUrl { get; }

    public EmulatorState State { get; }

    public static async Task<EmulatorHost> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseline = EmulatorEndpoints.Baseline(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (options.MinimumLogLevel != LogLevel.None)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.SetMinimumLevel(options.MinimumLogLevel);

            // A failed start surfaces as the exception StartAsync throws; the host's own log of it is a duplicate stack trace.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        }

        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        ListenOptions? http1 = null;
        ListenOptions? h2c = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http1 = listen;
            });
            if (options.H2cPort is { } h2cPort)
            {
                kestrel.Listen(IPAddress.Loopback, h2cPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    h2c = listen;
                });
            }
        });

        var app = builder.Build();
        var state = new EmulatorState(options);
        EmulatorEndpoints.Map(app, state, baseline);
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        // Kestrel puts the bound endpoint (the port it picked for 0) back on each listener.
        var port = ((IPEndPoint)http1!.EndPoint).Port;
        var h2cBaseUrl = h2c is null ? null : new Uri($"http://127.0.0.1:{((IPEndPoint)h2c.EndPoint).Port}");
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        state.BaseUrl = baseUrl;
        state.ResourceUrl = options.ResourceUrl.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return new EmulatorHost(app, baseUrl, h2cBaseUrl, state);
    }

    /// <summary>Completes when the process is asked to stop (Ctrl+C, SIGTERM).</summary>
    internal Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var grace = new CancellationTokenSource(StopGrace))
        {
            await _app.StopAsync(grace.Token);
        }

        await _app.DisposeAsync();
    }
}
