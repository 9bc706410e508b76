using Qwen.Emulator.OAuth;

namespace Qwen.Emulator.Responses;

/// <summary>The chat endpoint's bearer check, for the other routes: an API key, or a valid access token.</summary>
internal static class EmulatorAuth
{
    public static bool IsAuthorized(EmulatorState state, IReadOnlySet<string> apiKeys, string authorization)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var token = authorization["Bearer ".Length..].Trim();
        return apiKeys.Contains(token) || state.Tokens.Check(token) == AccessCheck.Valid;
    }
}
