using Proxy.Actors.Upstream;
using Proxy.Web.Configuration;
using Proxy.Web.Endpoints;
using Proxy.Web.Errors;
using Proxy.Web.Gateway;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;
using Proxy.Web.Security;

namespace Proxy.Web.Protocols.Embeddings;

/// <summary>
/// <c>POST /v1/embeddings</c>: the client's body (only its model mapped) goes to
/// <c>{API base}/embeddings</c> through the account's gate, and the answer comes back as it is.
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

        var services = context.RequestServices;
        if (services.GetService<UpstreamAccount>() is not { } account)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorTypes.ServiceUnavailable, "No upstream is configured for embeddings.");
            return;
        }

        if (context.Features.Get<Logging.IRequestLogFeature>() is { } log)
        {
            log.Model = request.Model;
        }

        var passThrough = new NativePassThrough(
            Path,
            UpstreamAuthStyle.Bearer,
            account,
            options,
            services.GetRequiredService<StreamConcurrencyLimiter>(),
            services.GetRequiredService<ProxyMetrics>(),
            services.GetRequiredService<TimeProvider>());
        await passThrough.ServeAsync(context, request.Body, stream: false, static (c, r) => FailureResponses.WriteAsync(c, r), static _ => []);
    }
}
