namespace Proxy.Web.Health;

/// <summary>One upstream account as <c>/health/detailed</c> shows it.</summary>
/// <param name="Id">The account's name (never a secret).</param>
/// <param name="AuthState">e.g. <c>valid</c>, <c>expired</c>, <c>refreshing</c>, <c>login_required</c>, <c>api_key</c>, <c>unknown</c>.</param>
/// <param name="ExpiresAt">When the current access token expires, if known.</param>
/// <param name="Detail">A short human note, e.g. the last refresh error (never a secret).</param>
internal sealed record AccountStatus(string Id, string AuthState, DateTimeOffset? ExpiresAt, string? Detail = null);
