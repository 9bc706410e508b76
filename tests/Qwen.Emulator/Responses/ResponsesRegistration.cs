using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Qwen.Emulator.Chat;

namespace Qwen.Emulator.Responses;

/// <summary>The Responses routes, unless the run serves chat only (<c>--no-responses</c>).</summary>
internal static class ResponsesRegistration
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state, Scenario baseline)
    {
        if (!state.Options.ServeResponses)
        {
            return;
        }

        var responses = new ResponsesEndpoint(state, baseline, state.Options.ApiKeys);
        routes.MapPost("/v1/responses", (RequestDelegate)responses.HandleAsync);
        routes.MapPost("/api/v2/apps/protocols/compatible-mode/v1/responses", (RequestDelegate)responses.HandleAsync);
    }
}
