using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Qwen.Emulator.Chat;
using Qwen.Emulator.Control;
using Qwen.Emulator.OAuth;

namespace Qwen.Emulator;

/// <summary>Every route the emulator serves, in one place.</summary>
internal static class EmulatorEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, EmulatorState state, Scenario baseline)
    {
        var chat = new ChatEndpoint(state, baseline, state.Options.ApiKeys);
        routes.MapPost("/v1/chat/completions", (RequestDelegate)chat.HandleAsync);
        routes.MapPost("/compatible-mode/v1/chat/completions", (RequestDelegate)chat.HandleAsync);

        NativeRoutes.Map(routes, state, baseline);
        Messages.MessagesEndpoint.Map(routes, state, baseline);

        var oauth = new OAuthEndpoints(state);
        routes.MapPost("/api/v1/oauth2/device/code", (RequestDelegate)oauth.DeviceCodeAsync);
        routes.MapPost("/api/v1/oauth2/token", (RequestDelegate)oauth.TokenAsync);

        var control = new ControlEndpoints(state);
        routes.MapGet("/", (RequestDelegate)control.RootAsync);
        routes.MapGet("/authorize", (RequestDelegate)ControlEndpoints.AuthorizePageAsync);
        routes.MapGet("/emulator/stats", (RequestDelegate)control.StatsAsync);
        routes.MapGet("/emulator/requests", (RequestDelegate)control.RequestsAsync);
        routes.MapPost("/emulator/reset", (RequestDelegate)control.ResetAsync);
        routes.MapPost("/emulator/tokens/expire", (RequestDelegate)control.ExpireTokensAsync);
        routes.MapPost("/emulator/tokens/revoke", (RequestDelegate)control.RevokeTokensAsync);
        routes.MapPost("/emulator/tokens/issue", (RequestDelegate)control.IssueTokenAsync);
        routes.MapPost("/emulator/device/approve", (RequestDelegate)control.ApproveAsync);
        routes.MapPost("/emulator/device/deny", (RequestDelegate)control.DenyAsync);
        routes.MapGet("/emulator/device/pending", (RequestDelegate)control.PendingAsync);
    }

    /// <summary>The run's scenario: defaults, the seed, <see cref="EmulatorOptions.DefaultScenario"/>, then the run fault.</summary>
    public static Scenario Baseline(EmulatorOptions options)
    {
        Scenario scenario;
        try
        {
            scenario = ScenarioParser.Parse(options.DefaultScenario, Scenario.Default with { Seed = options.Seed });
            if (options.FaultKind is not null || options.FaultRate > 0)
            {
                scenario = ScenarioParser.ApplyFault(scenario, options.FaultKind ?? "503") with
                {
                    FaultRate = options.FaultRate > 0 ? options.FaultRate : 1,
                };
            }
        }
        catch (FormatException e)
        {
            throw new ArgumentException("Bad emulator scenario: " + e.Message, nameof(options), e);
        }

        if (options.FaultRate is < 0 or > 1)
        {
            throw new ArgumentException("FaultRate must be between 0 and 1.", nameof(options));
        }

        return scenario;
    }
}
