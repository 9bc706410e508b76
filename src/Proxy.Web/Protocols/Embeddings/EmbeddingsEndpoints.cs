using Proxy.Actors.Resilience;
using Proxy.Actors.Upstream;
using Proxy.Web.Accounts;
using Proxy.Web.Configuration;
using Proxy.Web.Endpoints;
using Proxy.Web.Errors;
using Proxy.Web.Gateway;
using Proxy.Web.Requests;
using Proxy.Web.Security;

namespace Proxy.Web.Protocols.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c>: the client's body (only its model mapped) goes, through the account
/// pool (strategy, cooldowns, failover), to an account's <c>embeddings_url</c> or else to
/// <c>{API base}/embeddings</c>, and the answer comes back as it is.
/// </summary>
internal sealed class EmbeddingsEndpoints : IEndpointModule
{
    private const string Path = "embeddings";

    public void Map(IEndpointRouteBuilder endpoints) => endpoints.MapPost("/v1/embeddings", ServeAsync);

    private static async Task ServeAsync(HttpContext context, ChatRequestReader reader, ProxyOptions options)
    {
        var body = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted);
        if (body is not { } bytes)
        {
            await RequestBodyGuardMiddleware.TooLargeAsync(context, options.MaxRequestBodyBytes);
            return;
        }

        if (!reader.TryRead(bytes, CompletionApi.Embeddings, out var request, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        if (request.Stream)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorTypes.InvalidRequest, "Embeddings are not streamed; leave out 'stream'.", RequestError.Code, "stream");
            return;
        }

        if (context.RequestServices.GetService<UpstreamPool>() is not { } pool)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorTypes.ServiceUnavailable, "No upstream is configured for embeddings.");
            return;
        }

        // Through the pool like chat: the accounts that name an embeddings_url when any does (a preset
        // that serves embeddings fills it in), else every account at {API base}/embeddings.
        Func<AccountDefinition, string?> target = pool.Accounts.Accounts.Any(a => a.Definition.EmbeddingsUrl is not null)
            ? static definition => definition.EmbeddingsUrl?.AbsoluteUri
            : static _ => Path;
        if (await NativePassThrough.ServeFromPoolAsync(context, pool, request, target, UpstreamAuthStyle.Bearer, static _ => [], pickedMustServe: false))
        {
            return;
        }

        if (pool.Accounts.Select(request.Model).Refusal is { } refusal)
        {
            await GatewayChatHandler.WriteRefusalAsync(context, refusal);
        }
        else
        {
            await FailureResponses.WriteAsync(context, FailureKind.RateLimited, "Every upstream account that serves embeddings is busy; retry shortly.", retryAfter: TimeSpan.FromSeconds(1));
        }
    }
}
