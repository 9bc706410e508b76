using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Endpoints;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Hosting;

public sealed class ExtensionPointTests
{
    private sealed class ExtraPage : IEndpointModule
    {
        public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGet("/extra", () => Results.Text("login here"));
    }

    [Fact]
    public async Task Registered_endpoint_modules_are_mapped_behind_the_client_key()
    {
        await using var proxy = await TestProxy.StartAsync(
            new Dictionary<string, string?> { ["PROXY_API_KEYS"] = "page-key-12345678" },
            s => s.AddSingleton<IEndpointModule, ExtraPage>());

        using var anonymous = await proxy.Client.GetAsync("/extra");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/extra");
        request.Headers.Add("x-api-key", "page-key-12345678");
        using var authorized = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Equal("login here", await authorized.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_empty_post_needs_no_content_type()
    {
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IEndpointModule>(new PostModule()));

        using var response = await proxy.Client.PostAsync("/extra/post", content: null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private sealed class PostModule : IEndpointModule
    {
        public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost("/extra/post", () => Results.Accepted());
    }

    [Fact]
    public async Task Event_streams_carry_the_streaming_headers_and_flush_each_event()
    {
        var secondEventAllowed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeChatHandler(async (ctx, _) =>
        {
            EventStream.Prepare(ctx);
            await ctx.Response.WriteAsync("data: one\n\n");
            await secondEventAllowed.Task;
            await ctx.Response.WriteAsync("data: [DONE]\n\n");
        });
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = ProxyHostTests.Json("""{"messages":[],"stream":true}""") };

        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        secondEventAllowed.SetResult();
        var rest = await reader.ReadToEndAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Equal("data: one", first);
        Assert.Equal("\ndata: [DONE]\n\n", rest);
    }

    [Fact]
    public async Task A_full_stream_limiter_answers_429_with_retry_after()
    {
        var handler = new FakeChatHandler(async (ctx, _) =>
        {
            var streams = ctx.RequestServices.GetRequiredService<StreamConcurrencyLimiter>();
            using var slot = streams.TryEnter();
            if (slot is null)
            {
                await streams.WriteBusyAsync(ctx);
            }
        });
        await using var proxy = await TestProxy.StartAsync(
            new Dictionary<string, string?> { ["MAX_CONCURRENT_STREAMS"] = "1" },
            s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var held = proxy.Services.GetRequiredService<StreamConcurrencyLimiter>().TryEnter();

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", ProxyHostTests.Json("""{"messages":[],"stream":true}"""));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal(new Envelope.Error("Too many open streams: the proxy serves at most 1 at once (MAX_CONCURRENT_STREAMS). Retry shortly.", "rate_limit_error", null, "too_many_streams"), error);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
    }
}
