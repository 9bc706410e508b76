using Microsoft.Extensions.Logging;

namespace Qwen.Emulator.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Every_option_is_read()
    {
        var options = CommandLine.Parse([
            "--port", "18080", "--h2c-port", "18082", "--seed", "9", "--token-lifetime", "60", "--api-key", "a,b", "--api-key", "c",
            "--scenario", "chunks=2", "--fault-rate", "0.2", "--fault", "503", "--min-poll-interval", "0.5",
            "--device-code-lifetime", "30", "--omit-refresh-token", "--auto-approve", "--resource-url", "http://127.0.0.1:{port}",
            "--max-recorded", "5", "--log-level", "debug",
        ])!;

        Assert.Equal((18080, 18082), (options.Port, options.H2cPort));
        Assert.Equal(9, options.Seed);
        Assert.Equal(TimeSpan.FromSeconds(60), options.AccessTokenLifetime);
        Assert.Equal(["a", "b", "c"], options.ApiKeys);
        Assert.Equal("chunks=2", options.DefaultScenario);
        Assert.Equal((0.2, "503"), (options.FaultRate, options.FaultKind));
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.MinPollInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DeviceCodeLifetime);
        Assert.True(options.OmitRefreshTokenOnRefresh);
        Assert.True(options.AutoApproveDeviceCodes);
        Assert.Equal("http://127.0.0.1:{port}", options.ResourceUrl);
        Assert.Equal(5, options.MaxRecordedRequests);
        Assert.Equal(LogLevel.Debug, options.MinimumLogLevel);
    }

    [Fact]
    public void Defaults_suit_a_manual_run()
    {
        var options = CommandLine.Parse([])!;

        Assert.Equal((18080, 42, LogLevel.Warning), (options.Port, options.Seed, options.MinimumLogLevel));
        Assert.Null(options.H2cPort);
        Assert.Empty(options.ApiKeys);
    }

    [Theory]
    [InlineData("--port", "x", "--port must be a whole number from 0 to 65535, not 'x'")]
    [InlineData("--fault-rate", "2", "--fault-rate must be a number from 0 to 1, not '2'")]
    [InlineData("--wat", "1", "unknown option '--wat' (see --help)")]
    public void Bad_arguments_give_one_clear_line(string name, string value, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => CommandLine.Parse([name, value])).Message);
    }

    [Fact]
    public void Missing_value_is_named()
    {
        Assert.Equal("--seed needs a value", Assert.Throws<FormatException>(() => CommandLine.Parse(["--seed"])).Message);
    }

    [Fact]
    public void Help_returns_no_options()
    {
        Assert.Null(CommandLine.Parse(["--help"]));
    }
}
