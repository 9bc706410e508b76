namespace Qwen.Emulator.Tests;

public sealed class NativeRouteOptionsTests
{
    [Fact]
    public void The_native_route_switches_are_read()
    {
        var options = CommandLine.Parse(["--no-responses", "--tools-once", "--models", "qwen3-max, qwen3-coder-plus"])!;

        Assert.False(options.ServeResponses);
        Assert.True(options.ToolsOnce);
        Assert.Equal(["qwen3-max", "qwen3-coder-plus"], options.ModelIds);
    }

    [Fact]
    public void By_default_responses_are_served_tools_repeat_and_no_models_are_listed()
    {
        var options = CommandLine.Parse([])!;

        Assert.True(options.ServeResponses);
        Assert.False(options.ToolsOnce);
        Assert.Empty(options.ModelIds);
    }
}
