using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

// YARP's direct forwarding: Kestrel takes the request and IHttpForwarder sends it to the upstream over
// one tuned SocketsHttpHandler, copying the answer back as it arrives (YARP flushes event streams per
// read). No validation, retries, actors, repair, logging or metrics. The upstream key replaces the
// client's Authorization header. Configured like the proxy: SERVER_PORT, UPSTREAM_BASE_URL, UPSTREAM_API_KEY.
var port = int.Parse(Environment.GetEnvironmentVariable("SERVER_PORT") ?? "8143", System.Globalization.CultureInfo.InvariantCulture);
var upstream = new Uri((Environment.GetEnvironmentVariable("UPSTREAM_BASE_URL") ?? "http://127.0.0.1:18080/v1").TrimEnd('/') + "/");
var bearer = "Bearer " + (Environment.GetEnvironmentVariable("UPSTREAM_API_KEY") ?? string.Empty);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, port);
    k.Limits.MaxConcurrentConnections = null;
    k.Limits.MinResponseDataRate = null;
    k.AddServerHeader = false;
});
var app = builder.Build();

using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    ConnectTimeout = TimeSpan.FromSeconds(15),
});
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(15) };
var transformer = new UpstreamKey(bearer, upstream.AbsolutePath.TrimEnd('/'));
var destination = upstream.GetLeftPart(UriPartial.Authority) + "/";

app.MapGet("/health", () => Results.Text("ok"));
app.MapPost("/v1/{**rest}", async context =>
{
    var error = await forwarder.SendAsync(context, destination, invoker, config, transformer);
    if (error != ForwarderError.None && !context.Response.HasStarted)
    {
        context.Response.StatusCode = StatusCodes.Status502BadGateway;
    }
});

app.Run();

/// <summary>Maps <c>/v1/x</c> to <c>{upstream base path}/x</c> and puts the upstream key in place of the client's.</summary>
internal sealed class UpstreamKey(string bearer, string basePath) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var rest = httpContext.Request.Path.Value!["/v1".Length..];
        proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + basePath + rest + httpContext.Request.QueryString.Value);
        proxyRequest.Headers.Remove("Authorization");
        proxyRequest.Headers.TryAddWithoutValidation("Authorization", bearer);
        proxyRequest.Headers.Host = null;
    }
}
