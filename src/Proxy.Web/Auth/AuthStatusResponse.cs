using System.Text.Json.Serialization;

namespace Proxy.Web.Auth;

/// <summary>The JSON of <c>/auth</c>, <c>/auth/status</c> and <c>POST /auth/login</c>.</summary>
internal sealed record AuthStatusResponse(LoginResponse Login, AccountResponse Account);

/// <param name="Status"><c>idle</c>, <c>pending</c>, <c>approved</c>, <c>denied</c>, <c>expired</c> or <c>failed</c>.</param>
/// <param name="QrCode">The verification URL as an SVG <c>data:</c> URI (pending logins, <c>GET /auth</c> only).</param>
internal sealed record LoginResponse(
    string Status,
    string? VerificationUri,
    string? VerificationUriComplete,
    string? UserCode,
    DateTimeOffset? ExpiresAt,
    string? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? QrCode = null);

/// <param name="State"><c>no_credential</c>, <c>valid</c>, <c>refreshing</c> or <c>dead</c>.</param>
internal sealed record AccountResponse(
    string Name,
    string State,
    bool Usable,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastRefreshAt,
    int RefreshCount,
    string? ApiBase,
    string? LastError);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AuthStatusResponse))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
