using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Qwen.Emulator;

/// <summary>Turns <c>--port 18080 --seed 42 ...</c> into <see cref="EmulatorOptions"/>.</summary>
internal static class CommandLine
{
    public const string Usage = """
        Usage: dotnet run --project tests/Qwen.Emulator -- [options]
          --port N                    port on 127.0.0.1 (default 18080; 0 = any free port)
          --h2c-port N                also serve HTTP/2 without TLS (prior knowledge) on this port (0 = any free port)
          --seed N                    seed of text, tool calls and fault_rate draws (default 42)
          --token-lifetime S          access token lifetime in seconds (default 3600)
          --api-key KEY               accept KEY as a bearer on chat (repeatable, or comma-separated)
          --scenario TEXT             run-wide scenario, e.g. "chunks=20;delay_ms=50;stutter=cumulative:3"
          --fault KIND                run-wide fault, e.g. 503, 429_quota, reset_mid:3
          --fault-rate R              share of chat requests (0..1) that get the fault
          --min-poll-interval S       device polls closer than this get slow_down (default 2, 0 = off)
          --device-code-lifetime S    device code expires_in (default 600)
          --omit-refresh-token        refresh answers carry no new refresh_token; the old one stays valid
          --auto-approve              approve every device code at once
          --models A,B                list these models at GET /v1/models (default: none, 404 there)
          --tools-once                no tool calls in answer to a tool result (an agent's round trip ends)
          --no-responses              answer 404 on /v1/responses, like an upstream that serves chat only
          --resource-url TEXT         resource_url handed out with tokens (default "127.0.0.1:{port}")
          --max-recorded N            chat requests kept for /emulator/requests (default 10000)
          --no-messages               do not serve Anthropic /v1/messages (404, like a chat-only upstream)
          --log-level LEVEL           console log level: none, error, warning, information, debug (default warning)
        """;

    /// <summary>The options, or null when help was asked for. Throws <see cref="FormatException"/> with one clear line.</summary>
    public static EmulatorOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new EmulatorOptions { Port = 18080, MinimumLogLevel = LogLevel.Warning };
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value");
            switch (name)
            {
                case "-h" or "--help":
                    return null;
                case "--port":
                    options.Port = Int(name, Value(), 0, 65535);
                    break;
                case "--h2c-port":
                    options.H2cPort = Int(name, Value(), 0, 65535);
                    break;
                case "--seed":
                    options.Seed = Int(name, Value(), int.MinValue, int.MaxValue);
                    break;
                case "--token-lifetime":
                    options.AccessTokenLifetime = Seconds(name, Value());
                    break;
                case "--api-key":
                    foreach (var key in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.ApiKeys.Add(key);
                    }

                    break;
                case "--scenario":
                    options.DefaultScenario = Value();
                    break;
                case "--fault":
                    options.FaultKind = Value();
                    break;
                case "--fault-rate":
                    var rateText = Value();
                    options.FaultRate = double.TryParse(rateText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
                        ? rate
                        : throw new FormatException($"{name} must be a number from 0 to 1, not '{rateText}'");
                    break;
                case "--min-poll-interval":
                    options.MinPollInterval = Seconds(name, Value());
                    break;
                case "--device-code-lifetime":
                    options.DeviceCodeLifetime = Seconds(name, Value());
                    break;
                case "--omit-refresh-token":
                    options.OmitRefreshTokenOnRefresh = true;
                    break;
                case "--models":
                    foreach (var id in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.ModelIds.Add(id);
                    }

                    break;
                case "--tools-once":
                    options.ToolsOnce = true;
                    break;
                case "--no-responses":
                    options.ServeResponses = false;
                    break;
                case "--auto-approve":
                    options.AutoApproveDeviceCodes = true;
                    break;
                case "--resource-url":
                    options.ResourceUrl = Value();
                    break;
                case "--max-recorded":
                    options.MaxRecordedRequests = Int(name, Value(), 1, int.MaxValue);
                    break;
                case "--no-messages":
                    options.ServeMessages = false;
                    break;
                case "--log-level":
                    var level = Value();
                    options.MinimumLogLevel = Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed)
                        ? parsed
                        : throw new FormatException($"{name} must be one of none, error, warning, information, debug, not '{level}'");
                    break;
                default:
                    throw new FormatException($"unknown option '{name}' (see --help)");
            }
        }

        return options;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{value}'");

    private static TimeSpan Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new FormatException($"{name} must be a number of seconds, not '{value}'");
}
