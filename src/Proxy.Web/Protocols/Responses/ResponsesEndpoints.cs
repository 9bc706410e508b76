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
/// <c>POST /v1/responses</c>: when the account the pool picks serves the Responses API natively (its
/// <c>responses_url</c>, or UPSTREAM_RESPONSES_URL without an accounts file), the client's bytes (model
/// mapped) go there and its answer comes back as it is; otherwise the request is
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

        if (await NativePassThrough.TryServeNativeAsync(context, reader, bytes, CompletionApi.Responses, account => account.ResponsesUrl, UpstreamAuthStyle.Bearer, InterruptedEvent))
        {
            return;
        }

        if (!ResponsesRequestTranslator.TryTranslate(bytes.Span, out var request, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        await CompletionEndpoints.ServeAsync(context, reader, handler, request.ChatBody, CompletionApi.Responses, new ResponsesProtocol(request.Echo, ids, time));
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
