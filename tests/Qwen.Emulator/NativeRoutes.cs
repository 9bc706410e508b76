using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Qwen.Emulator.Chat;
using Qwen.Emulator.Responses;

namespace Qwen.Emulator;

/// <summary>
/// The routes beyond chat that DashScope serves: the Responses API (unless <c>--no-responses</c>),
/// embeddings, and a model list when <see cref="EmulatorOptions.ModelIds"/> names models (else 404,
/// as on an upstream without one).
/// </summary>
internal static class NativeRoutes
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state, Scenario baseline)
    {
        if (state.Options.ServeResponses)
        {
            var responses = new ResponsesEndpoint(state, baseline, state.Options.ApiKeys);
            routes.MapPost("/v1/responses", (RequestDelegate)responses.HandleAsync);
            routes.MapPost("/api/v2/apps/protocols/compatible-mode/v1/responses", (RequestDelegate)responses.HandleAsync);
        }

        var embeddings = new EmbeddingsEndpoint(state, baseline, state.Options.ApiKeys);
        routes.MapPost("/v1/embeddings", (RequestDelegate)embeddings.HandleAsync);
        routes.MapPost("/compatible-mode/v1/embeddings", (RequestDelegate)embeddings.HandleAsync);

        if (state.Options.ModelIds.Count > 0)
        {
            var models = new ModelsEndpoint(state, state.Options.ApiKeys);
            routes.MapGet("/v1/models", (RequestDelegate)models.HandleAsync);
            routes.MapGet("/compatible-mode/v1/models", (RequestDelegate)models.HandleAsync);
        }
    }
}
