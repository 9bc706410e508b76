using System.Globalization;
using System.Text.Json;

namespace Proxy.Actors.Resilience;

/// <summary>What an upstream error body says, in any of the envelopes seen.</summary>
internal readonly record struct UpstreamErrorBody(string? Message, string? Code, string? Type, JsonElement Reset)
{
    public static UpstreamErrorBody Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new(body, null, null, default);
            }

            if (root.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object)
                {
                    // OpenAI: {"error":{"message","type","code"}}
                    return new(Text(error, "message"), Text(error, "code"), Text(error, "type"), ResetOf(error, root));
                }

                // OAuth style: {"error":"slow_down","error_description":"..."}
                return new(Text(root, "error_description") ?? Text(root, "message") ?? Text(root, "error"), Text(root, "error"), null, ResetOf(root, root));
            }

            // DashScope native: {"code":"...","message":"...","request_id":"..."}
            return new(Text(root, "message") ?? Text(root, "detail"), Text(root, "code"), Text(root, "type"), ResetOf(root, root));
        }
        catch (JsonException)
        {
            return new(body, null, null, default);
        }
    }

    /// <summary>When the body says the limit resets: a number (seconds to wait, or epoch s/ms) or an ISO date.</summary>
    public TimeSpan? ResetAfter(DateTimeOffset now)
    {
        switch (Reset.ValueKind)
        {
            case JsonValueKind.Number when Reset.TryGetDouble(out var number) && number >= 0:
                return FromNumber(number, now);
            case JsonValueKind.String when Reset.GetString() is { } text:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                {
                    return FromNumber(seconds, now);
                }

                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                {
                    return at > now ? at - now : TimeSpan.Zero;
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Epoch milliseconds, epoch seconds, or seconds to wait, told apart by size.</summary>
    public static TimeSpan FromNumber(double number, DateTimeOffset now)
    {
        DateTimeOffset at;
        if (number >= 100_000_000_000)
        {
            at = DateTimeOffset.FromUnixTimeMilliseconds((long)number);
        }
        else if (number >= 1_000_000_000)
        {
            at = DateTimeOffset.FromUnixTimeSeconds((long)number);
        }
        else
        {
            return TimeSpan.FromSeconds(number);
        }

        return at > now ? at - now : TimeSpan.Zero;
    }

    private static JsonElement ResetOf(JsonElement first, JsonElement second)
    {
        foreach (var candidate in (ReadOnlySpan<JsonElement>)[first, second])
        {
            foreach (var name in (ReadOnlySpan<string>)["reset_at", "resets_at", "reset_time", "retry_after"])
            {
                if (candidate.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
                {
                    return value.Clone();
                }
            }
        }

        return default;
    }

    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
