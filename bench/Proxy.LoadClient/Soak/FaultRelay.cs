using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// Stands between the proxy and the emulator in the soak. The proxy does not pass a client's
/// <c>X-Emulator-Scenario</c> header on (only the body reaches the upstream as sent), so the soak
/// writes a request's scenario into its message text as <c>[soak-scenario:...]</c>, and the relay
/// sends it to the emulator as that header. Everything else is relayed as it comes: status, type,
/// length, Retry-After, the body read by read; a connection the emulator breaks is broken towards the
/// proxy too (reset before the headers, or a body cut short), so the proxy meets the fault itself.
/// </summary>
internal sealed class FaultRelay : IAsyncDisposable
{
    private const string ScenarioHeader = "X-Emulator-Scenario";
    private static ReadOnlySpan<byte> MarkerStart => "[soak-scenario:"u8;

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;

    private FaultRelay(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    /// <summary>Where it listens (port 0 at start: any free port).</summary>
    public Uri Address { get; }

    /// <summary>The text that carries <paramref name="scenario"/> to the relay inside a message.</summary>
    public static string Marker(string scenario) => "[soak-scenario:" + scenario + "]";

    /// <summary>The scenario marked in <paramref name="body"/>, or null.</summary>
    public static string? FindScenario(ReadOnlySpan<byte> body)
    {
        var at = body.IndexOf(MarkerStart);
        if (at < 0)
        {
            return null;
        }

        var rest = body[(at + MarkerStart.Length)..];
        var end = rest.IndexOf((byte)']');
        return end <= 0 ? null : Encoding.UTF8.GetString(rest[..end]);
    }

    public static async Task<FaultRelay> StartAsync(int port, Uri upstreamRoot, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MinResponseDataRate = null;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
            BaseAddress = upstreamRoot,
        };
        app.Run(context => RelayAsync(context, upstream));
        await app.StartAsync(cancellationToken);
        return new FaultRelay(app, upstream);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private static async Task RelayAsync(HttpContext context, HttpClient upstream)
    {
        var aborted = context.RequestAborted;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, aborted);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method),
            context.Request.Path.ToString().TrimStart('/') + context.Request.QueryString)
        {
            Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length),
        };
        if (context.Request.ContentType is { } type)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        foreach (var name in new[] { "Authorization", "Accept" })
        {
            if (context.Request.Headers.TryGetValue(name, out var value))
            {
                request.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        if (FindScenario(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } scenario)
        {
            request.Headers.TryAddWithoutValidation(ScenarioHeader, scenario);
        }

        HttpResponseMessage answer;
        try
        {
            answer = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, aborted);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            context.Abort(); // the emulator reset the connection: so does the relay
            return;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }

        using (answer)
        {
            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            response.ContentLength = answer.Content.Headers.ContentLength;
            if (answer.Headers.RetryAfter is { } retryAfter)
            {
                response.Headers.RetryAfter = retryAfter.ToString();
            }

            if (answer.Headers.CacheControl is { } cacheControl)
            {
                response.Headers.CacheControl = cacheControl.ToString();
            }

            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                var source = await answer.Content.ReadAsStreamAsync(aborted);
                await using (source)
                {
                    int read;
                    while ((read = await source.ReadAsync(buffer, aborted)) > 0)
                    {
                        await response.Body.WriteAsync(buffer.AsMemory(0, read), aborted);
                        await response.Body.FlushAsync(aborted);
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                context.Abort(); // the emulator cut the body short: the proxy gets it cut short too
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The proxy went away (its client cancelled): disposing the answer ends the emulator's side.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
