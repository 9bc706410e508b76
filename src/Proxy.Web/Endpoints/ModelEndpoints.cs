using Proxy.Web.Errors;
using Proxy.Web.Json;
using Proxy.Web.Models;

namespace Proxy.Web.Endpoints;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> (ids may contain slashes).</summary>
internal static class ModelEndpoints
{
    private const int MaxEchoedIdLength = 200;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (ModelCatalog catalog) =>
            TypedResults.Json(new ModelListResponse(catalog.Models.Select(ModelEntry.From).ToList()), ProxyJsonContext.Default.ModelListResponse));

        app.MapGet("/v1/models/{**id}", (string id, ModelCatalog catalog) =>
            catalog.Find(id) is { } model
                ? TypedResults.Json(ModelEntry.From(model), ProxyJsonContext.Default.ModelEntry)
                : OpenAiError.Result(
                    StatusCodes.Status404NotFound,
                    ErrorTypes.InvalidRequest,
                    $"The model '{(id.Length > MaxEchoedIdLength ? id[..MaxEchoedIdLength] + "…" : id)}' does not exist.",
                    "model_not_found",
                    "model"));
    }
}
