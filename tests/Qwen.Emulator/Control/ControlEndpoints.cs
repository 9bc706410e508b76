using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Qwen.Emulator.OAuth;

namespace Qwen.Emulator.Control;

/// <summary>The <c>/emulator/*</c> endpoints: counters, request log, token and device control.</summary>
internal sealed class ControlEndpoints(EmulatorState state)
{
    /// <summary><c>GET /emulator/stats</c>.</summary>
    public Task StatsAsync(HttpContext context) => JsonResponse.WriteAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteNumber("refresh_count", state.RefreshCount);
        json.WriteNumber("login_count", state.LoginCount);
        json.WriteNumber("chat_request_count", state.ChatRequestCount);
        json.WriteNumber("device_code_count", state.DeviceCodeCount);
        json.WriteNumber("active_chat_requests", state.ActiveChatRequests);
        json.WriteEndObject();
    });

    /// <summary><c>GET /emulator/requests</c>: the recorded chat requests, oldest first.</summary>
    public Task RequestsAsync(HttpContext context) => JsonResponse.WriteAsync(context, 200, json =>
    {
        json.WriteStartArray();
        foreach (var record in state.Requests)
        {
            json.WriteStartObject();
            json.WriteNumber("id", record.Id);
            json.WriteString("path", record.Path);
            json.WriteString("scenario", record.Scenario);
            json.WriteString("start", record.Start);
            WriteTime(json, "end", record.End);
            json.WriteNumber("status", record.StatusCode);
            json.WriteNumber("events_sent", record.EventsSent);
            json.WriteString("fault", record.Fault);
            json.WriteBoolean("cancelled", record.Cancelled);
            WriteTime(json, "cancelled_at", record.CancelledAt);
            json.WriteStartObject("headers");
            foreach (var (name, value) in record.Headers)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            json.WriteString("body", record.BodyText);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    /// <summary><c>POST /emulator/reset</c>.</summary>
    public Task ResetAsync(HttpContext context)
    {
        state.Reset();
        return Status(context, "reset");
    }

    /// <summary><c>POST /emulator/tokens/expire</c>.</summary>
    public Task ExpireTokensAsync(HttpContext context)
    {
        state.ExpireAccessTokens();
        return Status(context, "expired");
    }

    /// <summary><c>POST /emulator/tokens/revoke</c>.</summary>
    public Task RevokeTokensAsync(HttpContext context)
    {
        state.RevokeRefreshTokens();
        return Status(context, "revoked");
    }

    /// <summary><c>POST /emulator/tokens/issue[?lifetime=SECONDS]</c>: a token body plus <c>expiry_date</c> (epoch ms).</summary>
    public Task IssueTokenAsync(HttpContext context)
    {
        var lifetime = state.Options.AccessTokenLifetime;
        if (context.Request.Query["lifetime"].ToString() is { Length: > 0 } text)
        {
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                return JsonResponse.OAuthErrorAsync(context, 400, "invalid_request", "lifetime must be whole seconds");
            }

            lifetime = TimeSpan.FromSeconds(seconds);
        }

        var token = state.IssueToken(lifetime);
        return JsonResponse.WriteAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteString("access_token", token.AccessToken);
            json.WriteString("refresh_token", token.RefreshToken);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", (long)lifetime.TotalSeconds);
            json.WriteString("scope", OAuthEndpoints.DefaultScope);
            json.WriteString("resource_url", token.ResourceUrl);
            json.WriteNumber("expiry_date", token.ExpiresAt.ToUnixTimeMilliseconds());
            json.WriteEndObject();
        });
    }

    /// <summary><c>POST /emulator/device/approve?user_code=X</c>.</summary>
    public Task ApproveAsync(HttpContext context) => DecideAsync(context, approve: true);

    /// <summary><c>POST /emulator/device/deny?user_code=X</c>.</summary>
    public Task DenyAsync(HttpContext context) => DecideAsync(context, approve: false);

    /// <summary><c>GET /emulator/device/pending</c>.</summary>
    public Task PendingAsync(HttpContext context) => JsonResponse.WriteAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteStartArray("user_codes");
        foreach (var code in state.PendingUserCodes)
        {
            json.WriteStringValue(code);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary><c>GET /authorize?user_code=X</c>: the page a user would open, with approve and deny buttons.</summary>
    public static Task AuthorizePageAsync(HttpContext context)
    {
        var userCode = WebUtility.HtmlEncode(context.Request.Query["user_code"].ToString());
        var query = Uri.EscapeDataString(context.Request.Query["user_code"].ToString());
        var html = $$"""
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Qwen emulator: authorize device</title></head>
            <body>
            <h1>Authorize device</h1>
            <p>User code: <strong>{{userCode}}</strong></p>
            <form method="post" action="/emulator/device/approve?user_code={{query}}"><button type="submit">Approve</button></form>
            <form method="post" action="/emulator/device/deny?user_code={{query}}"><button type="submit">Deny</button></form>
            </body></html>
            """;
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary><c>GET /</c>: what this is.</summary>
    public Task RootAsync(HttpContext context) => JsonResponse.WriteAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteString("name", "qwen-emulator");
        json.WriteNumber("seed", state.Options.Seed);
        json.WriteString("default_scenario", state.Options.DefaultScenario);
        json.WriteEndObject();
    });

    private Task DecideAsync(HttpContext context, bool approve)
    {
        var userCode = context.Request.Query["user_code"].ToString();
        var device = state.Devices.ByUserCode(userCode);
        if (device is null)
        {
            return JsonResponse.OAuthErrorAsync(context, 404, "not_found", "unknown user_code");
        }

        if (!device.Decide(approve))
        {
            return JsonResponse.OAuthErrorAsync(context, 409, "conflict", "the device code is no longer pending");
        }

        return JsonResponse.WriteAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteString("user_code", device.UserCode);
            json.WriteString("status", approve ? "approved" : "denied");
            json.WriteEndObject();
        });
    }

    private static Task Status(HttpContext context, string status) => JsonResponse.WriteAsync(context, 200, json =>
    {
        json.WriteStartObject();
        json.WriteString("status", status);
        json.WriteEndObject();
    });

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
