namespace Qwen.Emulator;

/// <summary>A valid access and refresh token pair, as a login or refresh would return it.</summary>
/// <param name="ResourceUrl">The emulator's host, e.g. <c>127.0.0.1:18080</c> (no scheme: a client must use http for it).</param>
public sealed record IssuedToken(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, string ResourceUrl);
