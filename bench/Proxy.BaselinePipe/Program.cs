using System.Net;
using System.Net.Http.Headers;

// The plainest gateway .NET offers: Kestrel takes the request, HttpClient sends its body on with the
// upstream key, and the answer's bytes are copied back with a flush per read. No validation, retries,
// actors, repair, logging or metrics: whatever the proxy adds on top of this is its own cost.
// Configured like the proxy: SERVER_PORT, UPSTREAM_BASE_URL, UPSTREAM_API_KEY.
var port = int.Parse(Environment.GetEnvironmentVariable("SERVER_PORT") ?? "8143", System.Globalization.CultureInfo.InvariantCulture);
var upstream = new Uri((Environment.GetEnvironmentVariable("UPSTREAM_BASE_URL") ?? "http://127.0.0.1:18080/v1").TrimEnd('/') + "/chat/completions");
var bearer = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable("UPSTREAM_API_KEY") ?? "");

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
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
{
    Timeout = Timeout.InfiniteTimeSpan,
};

app.MapGet("/health", () => Results.Text("ok"));
app.MapPost("/v1/chat/completions", async context =>
{
    using var body = new MemoryStream();
    await context.Request.Body.CopyToAsync(body, context.RequestAborted);
    using var request = new HttpRequestMessage(HttpMethod.Post, upstream) { Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.Authorization = bearer;
    if (context.Request.Headers.TryGetValue("X-Emulator-Scenario", out var scenario))
    {
        request.Headers.TryAddWithoutValidation("X-Emulator-Scenario", scenario.ToString());
    }

    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
    context.Response.StatusCode = (int)response.StatusCode;
    context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
    await using var stream = await response.Content.ReadAsStreamAsync(context.RequestAborted);
    var buffer = new byte[4096];
    int read;
    while ((read = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
    {
        await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
});

app.Run();
