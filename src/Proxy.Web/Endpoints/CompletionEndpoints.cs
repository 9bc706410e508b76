using Proxy.Web.Configuration;
using Proxy.Web.Legacy;
using Proxy.Web.Logging;
using Proxy.Web.Protocols;
using Proxy.Web.Requests;
using Proxy.Web.Security;
using Proxy.Web.Telemetry;

namespace Proxy.Web.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: read and validate the body,
/// then hand the request to the registered <see cref="IChatCompletionsHandler"/>.
/// </summary>
internal static class CompletionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", ChatAsync);
        app.MapPost("/v1/completions", LegacyAsync);
    }

    private static async Task ChatAsync(HttpContext context, ChatRequestReader reader, IChatCompletionsHandler handler, ProxyOptions options)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        await ServeAsync(context, reader, handler, bytes, CompletionApi.Chat, protocol: null);
    }

    private static async Task LegacyAsync(HttpContext context, ChatRequestReader reader, IChatCompletionsHandler handler, ProxyOptions options)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        if (!LegacyCompletions.TryToChatRequest(bytes.Span, out var chatBody, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        await ServeAsync(context, reader, handler, chatBody, CompletionApi.LegacyCompletions, LegacyProtocol.Instance);
    }

    /// <summary>
    /// Validates a chat body (the client's, or one translated from another protocol) and serves it;
    /// <paramref name="protocol"/> turns the answers back into the client's protocol.
    /// </summary>
    internal static async Task ServeAsync(HttpContext context, ChatRequestReader reader, IChatCompletionsHandler handler, ReadOnlyMemory<byte> body, CompletionApi api, IClientProtocol? protocol)
    {
        if (!reader.TryRead(body, api, out var request, out var error, protocol))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IRequestLogFeature>() is { } log)
        {
            log.Model = request.Model;
            log.IsStreaming = request.Stream;
        }

        var call = context.RequestServices.GetRequiredService<GenAiCalls>().Start(api, request.Model, request.Stream);
        context.Features.Set(call);
        try
        {
            await handler.HandleAsync(context, request, context.RequestAborted);
        }
        finally
        {
            call.End(context.RequestAborted.IsCancellationRequested ? Errors.FailureResponses.ClientClosedRequest : context.Response.StatusCode);
        }
    }
}
