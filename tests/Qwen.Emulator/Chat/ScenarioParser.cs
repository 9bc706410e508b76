using System.Globalization;

namespace Qwen.Emulator.Chat;

/// <summary>Parses <c>key=value;key=value</c> scenario text on top of a base scenario.</summary>
internal static class ScenarioParser
{
    private const int MaxCount = 1_000_000;
    private const int MaxMilliseconds = 3_600_000;

    /// <summary>Most characters of content (or reasoning) one answer may carry.</summary>
    private const long MaxTextLength = 16_000_000;

    /// <summary>Applies every key of <paramref name="text"/> to <paramref name="baseline"/>. Throws <see cref="FormatException"/>.</summary>
    public static Scenario Parse(string? text, Scenario baseline)
    {
        var scenario = baseline;
        if (string.IsNullOrWhiteSpace(text))
        {
            return scenario;
        }

        foreach (var rawPart in text.Split(';'))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? part : part[..equals]).Trim().ToLowerInvariant();
            var value = equals < 0 ? "true" : part[(equals + 1)..].Trim();
            scenario = Apply(scenario, key, value);
        }

        if ((long)Math.Max(scenario.Chunks, scenario.Reasoning) * scenario.ChunkChars > MaxTextLength)
        {
            throw new FormatException($"chunks (or reasoning) x chunk_chars must be at most {MaxTextLength}");
        }

        return scenario;
    }

    /// <summary>Applies a <c>fault=</c> value (also used for <see cref="EmulatorOptions.FaultKind"/>).</summary>
    public static Scenario ApplyFault(Scenario scenario, string value)
    {
        var parts = value.ToLowerInvariant().Split(':');
        var name = parts[0];
        var arguments = name switch
        {
            "reset_mid" or "malformed" => 1,
            "stall_mid" => 2,
            _ => 0,
        };
        if (parts.Length != arguments + 1)
        {
            throw Bad("fault", value);
        }

        return name switch
        {
            "none" => scenario with { Fault = FaultType.None, FaultText = null },
            "429_quota" => scenario with { Fault = FaultType.Quota429, FaultText = value },
            "403_quota" => scenario with { Fault = FaultType.Quota403, FaultText = value },
            "reset_before" => scenario with { Fault = FaultType.ResetBefore, FaultText = value },
            "no_done" => scenario with { Fault = FaultType.NoDone, FaultText = value },
            "reset_mid" => scenario with { Fault = FaultType.ResetMid, FaultText = value, FaultAfter = Int("fault", parts[1], 0, MaxCount) },
            "malformed" => scenario with { Fault = FaultType.Malformed, FaultText = value, FaultAfter = Int("fault", parts[1], 1, MaxCount) },
            "stall_mid" => scenario with
            {
                Fault = FaultType.StallMid,
                FaultText = value,
                FaultAfter = Int("fault", parts[1], 0, MaxCount),
                StallMs = Int("fault", parts[2], 0, MaxMilliseconds),
            },
            _ => scenario with { Fault = FaultType.Status, FaultText = value, FaultStatus = Int("fault", name, 400, 599) },
        };
    }

    private static Scenario Apply(Scenario scenario, string key, string value) => key switch
    {
        "chunks" => scenario with { Chunks = Int(key, value, 0, MaxCount) },
        "chunk_chars" => scenario with { ChunkChars = Int(key, value, 1, MaxCount) },
        "delay_ms" => scenario with { DelayMs = Int(key, value, 0, MaxMilliseconds) },
        "first_byte_ms" => scenario with { FirstByteMs = Int(key, value, 0, MaxMilliseconds) },
        "seed" => scenario with { Seed = Int(key, value, int.MinValue, int.MaxValue) },
        "usage" => scenario with { Usage = Bool(key, value) },
        "tools" => scenario with { Tools = Int(key, value, 0, 128) },
        "reasoning" => scenario with { Reasoning = Int(key, value, 0, MaxCount) },
        "echo" => scenario with { Echo = Bool(key, value) },
        "stutter" => ApplyStutter(scenario, value),
        "fault" => ApplyFault(scenario, value),
        "retry_after" => scenario with { RetryAfter = Int(key, value, 0, 86_400) },
        "fault_rate" => scenario with { FaultRate = Rate(value) },
        _ => throw new FormatException($"unknown scenario key '{key}'"),
    };

    private static Scenario ApplyStutter(Scenario scenario, string value)
    {
        var parts = value.ToLowerInvariant().Split(':');
        return (parts[0], parts.Length) switch
        {
            ("none", 1) => scenario with { Stutter = StutterKind.None, StutterCount = 0 },
            ("cumulative_all", 1) => scenario with { Stutter = StutterKind.CumulativeAll, StutterCount = 0 },
            ("tricky", 1) => scenario with { Stutter = StutterKind.Tricky, StutterCount = 0 },
            ("cumulative", 2) => scenario with { Stutter = StutterKind.Cumulative, StutterCount = Int("stutter", parts[1], 0, MaxCount) },
            ("duplicate", 2) => scenario with { Stutter = StutterKind.Duplicate, StutterCount = Int("stutter", parts[1], 0, MaxCount) },
            _ => throw Bad("stutter", value),
        };
    }

    private static int Int(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Bad(key, value);

    private static bool Bool(string key, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw Bad(key, value),
    };

    private static double Rate(string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? rate
            : throw Bad("fault_rate", value);

    private static FormatException Bad(string key, string value) => new($"bad value '{value}' for scenario key '{key}'");
}
