using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Qwen.Emulator.OAuth;

/// <summary>Qwen's device-code and token endpoints: device grant with PKCE, rotating refresh grant.</summary>
internal sealed class OAuthEndpoints(EmulatorState state)
{
    public const string ClientId = "f0304373b74a44d2b584a3fb70ca9e56";
    public const string DefaultScope = "openid profile email model.completion";
    public const string DeviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";

    private EmulatorOptions Options => state.Options;

    /// <summary><c>POST /api/v1/oauth2/device/code</c>.</summary>
    public async Task DeviceCodeAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        if (form is null)
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "expected application/x-www-form-urlencoded");
            return;
        }

        if (!string.Equals(form["client_id"], ClientId, StringComparison.Ordinal))
        {
            await JsonResponse.OAuthErrorAsync(context, 401, "invalid_client", "unknown client_id");
            return;
        }

        var challenge = form["code_challenge"].ToString();
        if (challenge.Length == 0)
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "code_challenge is required");
            return;
        }

        if (!string.Equals(form["code_challenge_method"], "S256", StringComparison.Ordinal))
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "code_challenge_method must be S256");
            return;
        }

        var scope = form["scope"].ToString() is { Length: > 0 } requested ? requested : DefaultScope;
        var device = state.Devices.Create(challenge, scope, state.Now + Options.DeviceCodeLifetime, Options.AutoApproveDeviceCodes);
        state.CountDeviceCode();
        var verification = new Uri(state.BaseUrl, "authorize").ToString();
        await JsonResponse.WriteAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteString("device_code", device.DeviceCode);
            json.WriteString("user_code", device.UserCode);
            json.WriteString("verification_uri", verification);
            json.WriteString("verification_uri_complete", verification + "?user_code=" + Uri.EscapeDataString(device.UserCode));
            json.WriteNumber("expires_in", (long)Options.DeviceCodeLifetime.TotalSeconds);
            json.WriteEndObject();
        });
    }

    /// <summary><c>POST /api/v1/oauth2/token</c>.</summary>
    public async Task TokenAsync(HttpContext context)
    {
        var form = await ReadFormAsync(context);
        if (form is null)
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "expected application/x-www-form-urlencoded");
            return;
        }

        var grantType = form["grant_type"].ToString();
        if (grantType == "refresh_token")
        {
            state.CountRefresh();
        }

        if (!string.Equals(form["client_id"], ClientId, StringComparison.Ordinal))
        {
            await JsonResponse.OAuthErrorAsync(context, 401, "invalid_client", "unknown client_id");
            return;
        }

        switch (grantType)
        {
            case DeviceGrantType:
                await DeviceGrantAsync(context, form["device_code"].ToString(), form["code_verifier"].ToString());
                return;
            case "refresh_token":
                await RefreshGrantAsync(context, form["refresh_token"].ToString());
                return;
            case "":
                await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "grant_type is required");
                return;
            default:
                await JsonResponse.OAuthErrorAsync(context, 400, "unsupported_grant_type", "unsupported grant_type");
                return;
        }
    }

    private async Task DeviceGrantAsync(HttpContext context, string deviceCode, string codeVerifier)
    {
        var device = state.Devices.ByDeviceCode(deviceCode);
        var outcome = device?.Poll(codeVerifier, state.Now, Options.MinPollInterval) ?? PollOutcome.UnknownCode;
        var task = outcome switch
        {
            PollOutcome.UnknownCode => JsonResponse.OAuthErrorAsync(context, 400, "invalid_grant", "unknown device_code"),
            PollOutcome.AlreadyUsed => JsonResponse.OAuthErrorAsync(context, 400, "invalid_grant", "device_code already used"),
            PollOutcome.Expired => JsonResponse.OAuthErrorAsync(context, 400, "expired_token", "the device code has expired"),
            PollOutcome.SlowDown => JsonResponse.OAuthErrorAsync(context, 429, "slow_down", "polling too fast"),
            PollOutcome.MissingVerifier => JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "code_verifier is required"),
            PollOutcome.WrongVerifier => JsonResponse.OAuthErrorAsync(context, 400, "invalid_grant", "code_verifier does not match code_challenge"),
            PollOutcome.Denied => JsonResponse.OAuthErrorAsync(context, 400, "access_denied", "the user denied the request"),
            PollOutcome.Pending => JsonResponse.OAuthErrorAsync(context, 400, "authorization_pending", "the authorization request is still pending"),
            _ => IssueAsync(context, device!.Scope, keepRefreshToken: null, login: true),
        };
        await task;
    }

    private async Task RefreshGrantAsync(HttpContext context, string refreshToken)
    {
        if (refreshToken.Length == 0)
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "refresh_token is required");
            return;
        }

        var keep = Options.OmitRefreshTokenOnRefresh;
        if (!state.Tokens.Redeem(refreshToken, rotate: !keep))
        {
            await JsonResponse.OAuthErrorAsync(context, 400, "invalid_grant", "invalid or used refresh_token");
            return;
        }

        await IssueAsync(context, DefaultScope, keep ? refreshToken : null, login: false);
    }

    private Task IssueAsync(HttpContext context, string scope, string? keepRefreshToken, bool login)
    {
        var token = state.Tokens.Issue(Options.AccessTokenLifetime, state.ResourceUrl, keepRefreshToken);
        if (login)
        {
            state.CountLogin();
        }

        return JsonResponse.WriteAsync(context, 200, json => WriteToken(json, token, scope, includeRefreshToken: keepRefreshToken is null, Options.AccessTokenLifetime));
    }

    /// <summary>The token endpoint's success body (also used by <c>POST /emulator/tokens/issue</c>).</summary>
    public static void WriteToken(Utf8JsonWriter json, IssuedToken token, string scope, bool includeRefreshToken, TimeSpan lifetime)
    {
        json.WriteStartObject();
        json.WriteString("access_token", token.AccessToken);
        if (includeRefreshToken)
        {
            json.WriteString("refresh_token", token.RefreshToken);
        }

        json.WriteString("token_type", "Bearer");
        json.WriteNumber("expires_in", (long)lifetime.TotalSeconds);
        json.WriteString("scope", scope);
        json.WriteString("resource_url", token.ResourceUrl);
        json.WriteEndObject();
    }

    private static async Task<IFormCollection?> ReadFormAsync(HttpContext context) =>
        context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
}
