using System.Security.Cryptography;
using System.Text.Json;

namespace Qwen.Emulator.Tests.Support;

/// <summary>What a Qwen OAuth client sends, spelled out, so the tests read like the protocol.</summary>
internal static class OAuthClient
{
    public const string ClientId = "f0304373b74a44d2b584a3fb70ca9e56";
    public const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier))));
    }

    public static Task<(int Status, JsonElement Json)> DeviceCodeAsync(TestEmulator emulator, string challenge, string method = "S256", string clientId = ClientId) =>
        PostFormAsync(emulator, "/api/v1/oauth2/device/code", new()
        {
            ["client_id"] = clientId,
            ["scope"] = "openid profile email model.completion",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = method,
        });

    public static Task<(int Status, JsonElement Json)> PollAsync(TestEmulator emulator, string deviceCode, string verifier) =>
        PostFormAsync(emulator, "/api/v1/oauth2/token", new()
        {
            ["grant_type"] = DeviceGrant,
            ["client_id"] = ClientId,
            ["device_code"] = deviceCode,
            ["code_verifier"] = verifier,
        });

    public static Task<(int Status, JsonElement Json)> RefreshAsync(TestEmulator emulator, string refreshToken) =>
        PostFormAsync(emulator, "/api/v1/oauth2/token", new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = ClientId,
            ["refresh_token"] = refreshToken,
        });

    public static async Task<(int Status, JsonElement Json)> PostFormAsync(TestEmulator emulator, string path, Dictionary<string, string> fields)
    {
        using var content = new FormUrlEncodedContent(fields);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await emulator.Client.SendAsync(request, emulator.Ct);
        var text = await response.Content.ReadAsStringAsync(emulator.Ct);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static async Task<int> PostAsync(TestEmulator emulator, string pathAndQuery)
    {
        using var response = await emulator.Client.PostAsync(pathAndQuery, null, emulator.Ct);
        return (int)response.StatusCode;
    }

    public static string Error(JsonElement json) => json.GetProperty("error").GetString()!;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
