using System.Globalization;
using Proxy.Actors.Upstream;
using Proxy.Web.Configuration;
using Proxy.Web.Endpoints;
using Proxy.Web.Gateway;
using Proxy.Web.Models;
using Proxy.Web.Requests;
using Proxy.Web.Security;

namespace Proxy.Web.Protocols.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c> and <c>POST /v1/messages/count_tokens</c> (Claude Code adds
/// <c>?beta=true</c> and <c>anthropic-beta</c>/<c>anthropic-version</c> headers: accepted, not needed).
/// Errors on both leave in Anthropic's envelope (<see cref="AnthropicErrors"/>).
/// </summary>
internal static class AnthropicEndpoints
{
    public const string MessagesPath = "/v1/messages";
    public const string CountTokensPath = "/v1/messages/count_tokens";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(MessagesPath, MessagesAsync);
        app.MapPost(CountTokensPath, CountTokensAsync);
    }

    private static async Task MessagesAsync(HttpContext context, ChatRequestReader reader, IChatCompletionsHandler handler, ProxyOptions options, ModelMapper mapper)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        // Native or translated is decided here: an account whose upstream serves Anthropic Messages
        // natively takes the client's bytes as sent (the model name aside); every other upstream
        // gets the request translated to chat completions and the answer translated back.
        if (await NativePassThrough.TryServeNativeAsync(context, reader, bytes, CompletionApi.AnthropicMessages, account => account.MessagesUrl, UpstreamAuthStyle.ApiKeyHeader, InterruptedEvent, m => UpstreamModel(m, options)))
        {
            return;
        }

        if (!AnthropicRequestTranslator.TryTranslate(bytes.Span, out var chatBody, out var request, out var error, upstreamModel: m => UpstreamModel(m, options)))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        var model = request.Model ?? mapper.Map(null);
        var protocol = new AnthropicProtocol(request, model, Ids(context));
        await CompletionEndpoints.ServeAsync(context, reader, handler, chatBody, CompletionApi.AnthropicMessages, protocol);
    }

    /// <summary>
    /// <c>{"input_tokens":N}</c>, estimated locally from the translated request (see
    /// <see cref="AnthropicTokenEstimate"/>); nothing goes upstream. <c>max_tokens</c> is not needed here.
    /// </summary>
    private static async Task CountTokensAsync(HttpContext context, ProxyOptions options)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        if (!AnthropicRequestTranslator.TryTranslate(bytes.Span, out _, out var request, out var error, requireMaxTokens: false, upstreamModel: m => UpstreamModel(m, options)))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        await response.WriteAsync(
            "{\"input_tokens\":" + request.InputTokenEstimate.ToString(CultureInfo.InvariantCulture) + "}",
            context.RequestAborted);
    }

    /// <summary>
    /// The model a translated request names upstream: a Claude model (<c>claude-…</c>) that
    /// MODEL_ALIASES does not map becomes DEFAULT_MODEL, since a chat upstream serves no Claude
    /// model; any other name goes on as sent (and through the usual mapping). Answers still report
    /// the name the client asked for.
    /// </summary>
    internal static string UpstreamModel(string requested, ProxyOptions options) =>
        requested.StartsWith("claude", StringComparison.OrdinalIgnoreCase) && !options.ModelAliases.ContainsKey(requested)
            ? options.DefaultModel
            : requested;

    /// <summary>The <c>error</c> event that ends a native stream which broke after it started.</summary>
    private static byte[] InterruptedEvent(string message)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(256);
        AnthropicErrors.WriteErrorEvent(output, AnthropicErrors.Api, message);
        return output.WrittenSpan.ToArray();
    }

    private static IAnthropicIds Ids(HttpContext context) =>
        context.RequestServices.GetService<IAnthropicIds>() ?? RandomAnthropicIds.Instance;
}
