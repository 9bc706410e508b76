using Microsoft.Net.Http.Headers;
using Proxy.Actors.Auth;
using Proxy.Web.Errors;

namespace Proxy.Web.Auth;

/// <summary>
/// <c>GET /auth</c> (login page, or JSON for <c>Accept: application/json</c>; starts a device login
/// when the credential is not usable and none is pending), <c>POST /auth/login</c> (starts one, or
/// returns the pending one) and <c>GET /auth/status</c>.
/// </summary>
public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/auth", PageAsync);
        app.MapPost("/auth/login", LoginAsync);
        app.MapGet("/auth/status", Status);
        return app;
    }

    private static async Task PageAsync(HttpContext context, LoginCoordinator logins, TokenManager tokens)
    {
        var login = logins.Status;
        if (!tokens.Snapshot.IsUsable && login.Phase != LoginPhase.Pending)
        {
            login = await logins.StartAsync(context.RequestAborted);
        }

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
        var login = await logins.StartAsync(context.RequestAborted);
        context.Response.Headers.CacheControl = "no-store";
        if (login.Phase == LoginPhase.Failed)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status502BadGateway, ErrorTypes.Upstream, login.Message ?? "The device login could not be started.", "login_unavailable");
            return;
        }

        await WriteJsonAsync(context, login, tokens.Snapshot, StatusCodes.Status202Accepted, withQr: false);
    }

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

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
    }
}
