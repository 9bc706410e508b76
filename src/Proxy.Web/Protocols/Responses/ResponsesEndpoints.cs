using System.Text.Encodings.Web;
using System.Text.Json;
using Proxy.Actors.Upstream;
using Proxy.Web.Configuration;
using Proxy.Web.Endpoints;
using Proxy.Web.Errors;
using Proxy.Web.Gateway;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;
using Proxy.Web.Security;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: with <c>UPSTREAM_RESPONSES_URL</c> set, the client's bytes (model
/// mapped) go to that native upstream and its answer comes back as it is; otherwise the request is
/// translated to chat completions (<see cref="ResponsesRequestTranslator"/>) and the answer, whole or
/// streamed, back into the Responses shape (<see cref="ResponsesProtocol"/>).
/// </summary>
internal sealed class ResponsesEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost("/v1/responses", ServeAsync);

    private static async Task ServeAsync(
        HttpContext context,
        ChatRequestReader reader,
        IChatCompletionsHandler handler,
        ProxyOptions options,
        IResponseIds ids,
        TimeProvider time)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        if (options.UpstreamResponsesUrl is { } native && context.RequestServices.GetService<UpstreamAccount>() is { } account)
        {
            await NativeAsync(context, reader, bytes, native, account);
            return;
        }

        if (!ResponsesRequestTranslator.TryTranslate(bytes.Span, out var request, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        await CompletionEndpoints.ServeAsync(context, reader, handler, request.ChatBody, CompletionApi.Responses, new ResponsesProtocol(request.Echo, ids, time));
    }

    private static async Task NativeAsync(HttpContext context, ChatRequestReader reader, ReadOnlyMemory<byte> body, Uri target, UpstreamAccount account)
    {
        // The chat reader validates the JSON, reads 'stream' and maps the model in place; nothing else changes.
        if (!reader.TryRead(body, CompletionApi.Responses, out var request, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<Logging.IRequestLogFeature>() is { } log)
        {
            log.Model = request.Model;
            log.IsStreaming = request.Stream;
        }

        var services = context.RequestServices;
        var passThrough = new NativePassThrough(
            target.AbsoluteUri,
            UpstreamAuthStyle.Bearer,
            account,
            services.GetRequiredService<ProxyOptions>(),
            services.GetRequiredService<StreamConcurrencyLimiter>(),
            services.GetRequiredService<ProxyMetrics>(),
            services.GetRequiredService<TimeProvider>());
        await passThrough.ServeAsync(context, request.Body, request.Stream, static (c, r) => FailureResponses.WriteAsync(c, r), InterruptedEvent);
    }

    /// <summary>
    /// The Responses <c>error</c> event that ends a native stream which broke after it started. Its
    /// <c>sequence_number</c> is left out: the stream's numbers are the upstream's, not counted here.
    /// </summary>
    private static byte[] InterruptedEvent(string message)
    {
        var encoded = JsonEncodedText.Encode(message, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        return System.Text.Encoding.UTF8.GetBytes(
            $"event: error\ndata: {{\"type\":\"error\",\"code\":\"upstream_error\",\"message\":\"{encoded}\",\"param\":null}}\n\n");
    }
}
