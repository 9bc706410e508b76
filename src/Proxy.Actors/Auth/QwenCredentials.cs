namespace Proxy.Actors.Auth;

/// <summary>One OAuth credential as the Qwen Code CLI stores it. <see cref="ToString"/> shows no secret.</summary>
internal sealed record QwenCredentials(
    string AccessToken,
    string RefreshToken,
    string TokenType,
    string? ResourceUrl,
    DateTimeOffset ExpiresAt)
{
    public string AccessTokenHint => Secret.Hint(AccessToken);

    /// <summary>True when the access token is still good for longer than <paramref name="margin"/>.</summary>
    public bool IsValidFor(DateTimeOffset now, TimeSpan margin) => ExpiresAt - margin > now;

    public AccessToken ToAccessToken(Uri? apiBaseOverride) =>
        new(AccessToken, ExpiresAt, ApiBaseResolver.Resolve(ResourceUrl, apiBaseOverride));

    public override string ToString() =>
        $"QwenCredentials({AccessTokenHint}, expires {ExpiresAt:O}, resource {ResourceUrl ?? "-"})";
}
