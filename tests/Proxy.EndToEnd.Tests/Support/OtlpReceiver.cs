using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Proxy.EndToEnd.Tests.Support;

/// <summary>
/// A stand-in OTLP/HTTP collector on 127.0.0.1: records every POST (path, content type, body) and
/// answers 200 with an empty protobuf message, as a collector that accepted everything does.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<OtlpPost> _posts = new();
    private readonly TaskCompletionSource _tracesArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OtlpReceiver(WebApplication app) => _app = app;

    public Uri BaseUrl => new(_app.Urls.First());

    public IReadOnlyList<OtlpPost> Posts => [.. _posts];

    /// <summary>Completes when the first POST to <c>/v1/traces</c> has been recorded.</summary>
    public Task TracesArrived => _tracesArrived.Task;

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            receiver._posts.Enqueue(new OtlpPost(context.Request.Path, context.Request.ContentType ?? string.Empty, body.ToArray()));
            if (signal == "traces")
            {
                receiver._tracesArrived.TrySetResult();
            }

            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

/// <summary>One export as the receiver got it.</summary>
internal sealed record OtlpPost(string Path, string ContentType, byte[] Body)
{
    public bool Contains(string text) => Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    public bool Contains(ReadOnlySpan<byte> bytes) => Body.AsSpan().IndexOf(bytes) >= 0;
}
