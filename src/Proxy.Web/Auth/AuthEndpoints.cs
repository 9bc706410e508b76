using Microsoft.Net.Http.Headers;
using Proxy.Actors.Auth;
using Proxy.Web.Errors;
using Proxy.Web.Security;

namespace Proxy.Web.Auth;

/// <summary>
/// <c>GET /auth</c> (login page, or JSON for <c>Accept: application/json</c>; shows the state and
/// starts nothing), <c>POST /auth/login</c> (starts a device login, or returns the pending one),
/// <c>GET /auth/status</c>, and <c>POST /auth/key</c> (the page's form for the client key, which it
/// keeps in <see cref="AuthKeyCookie"/>). The two POSTs refuse a request from another origin's page.
/// </summary>
public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/auth", PageAsync);
        app.MapPost("/auth/login", LoginAsync);
        app.MapPost("/auth/key", KeyAsync);
        app.MapGet("/auth/status", Status);
        return app;
    }

    /// <summary>True for a browser asking for the login page (HTML, not the JSON form).</summary>
    internal static bool IsBrowserPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Path.Equals("/auth", StringComparison.OrdinalIgnoreCase)
        && !WantsJson(request);

    /// <summary>The page that asks for the client key, with 401: nothing else of the page shows without one.</summary>
    internal static Task WriteKeyFormAsync(HttpContext context, string? error)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(AuthPage.RenderKeyForm(error), context.RequestAborted);
    }

    private static async Task PageAsync(HttpContext context, LoginCoordinator logins, TokenManager tokens)
    {
        // Showing the page starts nothing with Qwen: a login starts only from POST /auth/login.
        var login = logins.Status;
        context.Response.Headers.CacheControl = "no-store";
        if (WantsJson(context.Request))
        {
            await WriteJsonAsync(context, login, tokens.Snapshot, StatusCodes.Status200OK, withQr: true);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(AuthPage.Render(login, tokens.Snapshot), context.RequestAborted);
    }

    private static async Task LoginAsync(HttpContext context, LoginCoordinator logins, TokenManager tokens)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (SameOriginRequest.IsCrossSite(context.Request))
        {
            await CrossSiteAsync(context);
            return;
        }

        var login = await logins.StartAsync(context.RequestAborted);
        if (login.Phase == LoginPhase.Failed)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status502BadGateway, ErrorTypes.Upstream, login.Message ?? "The device login could not be started.", "login_unavailable");
            return;
        }

        await WriteJsonAsync(context, login, tokens.Snapshot, StatusCodes.Status202Accepted, withQr: false);
    }

    private static async Task KeyAsync(HttpContext context, ClientKeys keys)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (SameOriginRequest.IsCrossSite(context.Request))
        {
            await CrossSiteAsync(context);
            return;
        }

        var key = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted))["key"].ToString().Trim()
            : string.Empty;
        if (keys.Required)
        {
            if (key.Length == 0 || keys.Verify(key) is null)
            {
                await WriteKeyFormAsync(context, key.Length == 0 ? "Enter one of the proxy's keys." : "That is not one of the proxy's keys (PROXY_API_KEYS).");
                return;
            }

            AuthKeyCookie.Set(context, key);
        }

        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/auth";
    }

    private static Task CrossSiteAsync(HttpContext context) =>
        OpenAiError.WriteAsync(
            context,
            StatusCodes.Status403Forbidden,
            ErrorTypes.InvalidRequest,
            "Refused: this request came from another site's page. Start a login from the proxy's own /auth page.",
            "cross_site_request");

    private static IResult Status(HttpContext context, LoginCoordinator logins, TokenManager tokens)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(ToResponse(logins.Status, tokens.Snapshot, withQr: false), AuthJsonContext.Default.AuthStatusResponse);
    }

    private static Task WriteJsonAsync(HttpContext context, LoginStatus login, AuthSnapshot account, int statusCode, bool withQr)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(ToResponse(login, account, withQr), AuthJsonContext.Default.AuthStatusResponse, cancellationToken: context.RequestAborted);
    }

    internal static AuthStatusResponse ToResponse(LoginStatus login, AuthSnapshot account, bool withQr) => new(
        new LoginResponse(
            login.Phase.ToString().ToLowerInvariant(),
            login.VerificationUri?.AbsoluteUri,
            login.VerificationUriComplete?.AbsoluteUri,
            login.UserCode,
            login.ExpiresAt,
            login.Message,
            withQr && login.Phase == LoginPhase.Pending && login.VerificationUriComplete is { } url ? QrCodes.ToSvgDataUri(url.AbsoluteUri) : null),
        new AccountResponse(
            account.Account,
            StateName(account.State),
            account.IsUsable,
            account.ExpiresAt,
            account.LastRefreshAt,
            account.RefreshCount,
            account.ApiBase?.AbsoluteUri.TrimEnd('/'),
            account.LastError));

    internal static string StateName(AuthState state) => state switch
    {
        AuthState.Valid => "valid",
        AuthState.Refreshing => "refreshing",
        AuthState.Dead => "dead",
        _ => "no_credential",
    };

    internal static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }
}
