using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Qwen.Emulator.Chat;

/// <summary>The exact error bodies of the chat endpoint (OpenAI/Qwen envelope), as bytes.</summary>
internal static class ErrorBodies
{
    public const string QuotaMessage = "Free allocated quota exceeded.";

    public static readonly byte[] InvalidToken = Body("invalid access token or token expired", "invalid_request_error", "invalid_api_key");

    public static readonly byte[] InvalidJson = Body("The request body is not valid JSON.", "invalid_request_error", "invalid_json");

    public static readonly byte[] RateLimited = Body("Requests rate limit exceeded, please try again later.", "rate_limit_error", "rate_limit_exceeded");

    public static readonly byte[] Quota429 = Body(QuotaMessage, "insufficient_quota", "insufficient_quota");

    public static readonly byte[] Quota403 = Body("Allocated quota exceeded, please increase your quota limit.", "insufficient_quota", "quota_exceeded");

    private static readonly ConcurrentDictionary<int, byte[]> ByStatus = new();

    /// <summary>Body of a <c>fault=STATUS</c>: 401 and 429 have their own wording, the rest a generic one.</summary>
    public static byte[] ForStatus(int status) => status switch
    {
        401 => InvalidToken,
        429 => RateLimited,
        _ => ByStatus.GetOrAdd(status, static s => Body(
            $"emulated fault: {s} {ReasonPhrases.GetReasonPhrase(s)}".TrimEnd(),
            s >= 500 ? "server_error" : "invalid_request_error",
            "emulated_fault")),
    };

    public static byte[] BadScenario(string message) =>
        Body("bad X-Emulator-Scenario: " + message, "invalid_request_error", "emulator_scenario");

    private static byte[] Body(string message, string type, string code)
    {
        var body = new StringBuilder("{\"error\":{\"message\":");
        JsonText.AppendQuoted(body, message)
            .Append(",\"type\":\"").Append(type).Append("\",\"param\":null,\"code\":\"").Append(code).Append("\"}}");
        return Encoding.UTF8.GetBytes(body.ToString());
    }
}
