using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Resilience;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Hosting;
using Proxy.Web.Metrics;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Hosting;

public sealed class ShutdownDrainTests
{
    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }

    private static Task WhenCanceled(CancellationToken token)
    {
        var canceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => canceled.TrySetResult());
        return canceled.Task;
    }

    [Fact]
    public void Stopping_starts_the_drain_and_the_deadline_follows_SHUTDOWN_TIMEOUT()
    {
        var time = new FakeTimeProvider();
        using var lifetime = new Lifetime();
        using var metrics = new ProxyMetrics();
        using var drain = new ShutdownDrain(new ProxyOptions { ShutdownTimeout = TimeSpan.FromSeconds(30) }, time, lifetime, metrics, NullLogger<ShutdownDrain>.Instance);

        Assert.False(drain.IsDraining);
        lifetime.StopApplication();
        Assert.True(drain.Draining.IsCancellationRequested);
        Assert.False(drain.DrainingDeadline.IsCancellationRequested);

        time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.False(drain.DrainingDeadline.IsCancellationRequested);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(drain.DrainingDeadline.IsCancellationRequested);
    }

    [Fact]
    public void A_zero_timeout_ends_streams_at_once()
    {
        using var lifetime = new Lifetime();
        using var metrics = new ProxyMetrics();
        using var drain = new ShutdownDrain(new ProxyOptions { ShutdownTimeout = TimeSpan.Zero }, new FakeTimeProvider(), lifetime, metrics, NullLogger<ShutdownDrain>.Instance);

        lifetime.StopApplication();

        Assert.True(drain.DrainingDeadline.IsCancellationRequested);
    }

    [Fact]
    public async Task An_open_stream_runs_on_during_shutdown_and_ends_with_an_error_event_at_the_deadline()
    {
        var time = new FakeTimeProvider();
        var streamStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawDraining = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeChatHandler(async (ctx, _) =>
        {
            var drain = ctx.RequestServices.GetRequiredService<ShutdownDrain>();
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"n\":1}\n\n");
            await ctx.Response.Body.FlushAsync();
            streamStarted.SetResult();
            await WhenCanceled(drain.Draining);
            sawDraining.SetResult();
            await ctx.Response.WriteAsync("data: {\"n\":2}\n\n");
            await ctx.Response.Body.FlushAsync();
            await WhenCanceled(drain.DrainingDeadline);
            await ctx.Response.Body.WriteAsync(FailureResponses.ToSseEvent(ctx, FailureKind.ShuttingDown));
        });
        await using var proxy = await TestProxy.StartAsync(
            new Dictionary<string, string?> { ["SHUTDOWN_TIMEOUT"] = "20s" },
            s =>
            {
                s.AddSingleton<TimeProvider>(time);
                s.AddSingleton<IChatCompletionsHandler>(handler);
            });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = ProxyHostTests.Json("""{"messages":[],"stream":true}""") };
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await streamStarted.Task;

        var stopping = proxy.App.StopAsync();
        await sawDraining.Task;
        time.Advance(TimeSpan.FromSeconds(20));
        var body = await response.Content.ReadAsStringAsync();
        await stopping;

        Assert.Equal(
            "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n" +
            "data: {\"error\":{\"message\":\"The proxy is shutting down; retry shortly.\",\"type\":\"service_unavailable\",\"param\":null,\"code\":\"shutting_down\"}}\n\n",
            body);
    }

    [Fact]
    public async Task Server_timeouts_never_cut_a_live_response()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?>
        {
            ["READ_TIMEOUT"] = "7s",
            ["WRITE_TIMEOUT"] = "9s",
            ["SHUTDOWN_TIMEOUT"] = "11s",
            ["MAX_REQUEST_BODY_BYTES"] = "1234",
        });

        var kestrel = proxy.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value;
        var host = proxy.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value;

        Assert.Null(kestrel.Limits.MinResponseDataRate);
        Assert.Equal(TimeSpan.FromSeconds(7), kestrel.Limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9), kestrel.Limits.KeepAliveTimeout);
        Assert.Equal(1234, kestrel.Limits.MaxRequestBodySize);
        Assert.False(kestrel.AddServerHeader);
        Assert.Equal(TimeSpan.FromSeconds(16), host.ShutdownTimeout);
    }
}
