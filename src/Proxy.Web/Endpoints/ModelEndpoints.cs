using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Json;
using Proxy.Web.Models;

namespace Proxy.Web.Endpoints;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> (ids may contain slashes); in API-key mode the
/// upstream's own list when it has one (<see cref="UpstreamModels"/>).
/// </summary>
internal static class ModelEndpoints
{
    private const int MaxEchoedIdLength = 200;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", async (ModelCatalog catalog, ProxyOptions options, HttpContext context) =>
            TypedResults.Json(new ModelListResponse((await ListAsync(catalog, options, context)).Select(ModelEntry.From).ToList()), ProxyJsonContext.Default.ModelListResponse));

        app.MapGet("/v1/models/{**id}", async (string id, ModelCatalog catalog, ProxyOptions options, HttpContext context) =>
            ((await ListAsync(catalog, options, context)).FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase)) ?? catalog.Find(id)) is { } model
                ? TypedResults.Json(ModelEntry.From(model), ProxyJsonContext.Default.ModelEntry)
                : OpenAiError.Result(
                    StatusCodes.Status404NotFound,
                    ErrorTypes.InvalidRequest,
                    $"The model '{(id.Length > MaxEchoedIdLength ? id[..MaxEchoedIdLength] + "…" : id)}' does not exist.",
                    "model_not_found",
                    "model"));
    }

    /// <summary>In API-key mode what the upstream lists (with the aliases), else or failing that the built-in list.</summary>
    private static async Task<IReadOnlyList<ModelInfo>> ListAsync(ModelCatalog catalog, ProxyOptions options, HttpContext context)
    {
        if (options.UpstreamMode == UpstreamMode.ApiKey
            && context.RequestServices.GetService<UpstreamModels>() is { } upstream
            && await upstream.GetAsync() is { } listed)
        {
            return catalog.WithUpstream(listed);
        }

        return catalog.Models;
    }
}
