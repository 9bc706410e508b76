using System.ComponentModel;
using Proxy.Web.Auth;

namespace Proxy.Web.Tests.Auth;

public sealed class BrowserLauncherTests
{
    private static readonly Uri Url = new("https://chat.qwen.ai/authorize?user_code=ABCD-1234");

    [Theory]
    [InlineData("DISPLAY")]
    [InlineData("WAYLAND_DISPLAY")]
    public void Desktop_with_xdg_open_opens_the_url(string variable)
    {
        var started = new List<(string Program, string[] Arguments)>();
        var launcher = new BrowserLauncher(
            name => name == variable ? ":0" : name == "PATH" ? "/opt/bin:/usr/bin" : null,
            (program, arguments) =>
            {
                started.Add((program, arguments));
                return true;
            },
            path => path == "/usr/bin/xdg-open");

        Assert.True(launcher.TryOpen(Url));

        var (program, arguments) = Assert.Single(started);
        Assert.Equal("/usr/bin/xdg-open", program);
        Assert.Equal(["https://chat.qwen.ai/authorize?user_code=ABCD-1234"], arguments);
    }

    [Fact]
    public void Without_a_display_nothing_is_started()
    {
        var launcher = new BrowserLauncher(
            name => name == "PATH" ? "/usr/bin" : null,
            (_, _) => throw new InvalidOperationException("must not start"),
            _ => true);

        Assert.False(launcher.TryOpen(Url));
    }

    [Fact]
    public void Without_xdg_open_on_the_path_nothing_is_started()
    {
        var launcher = new BrowserLauncher(
            name => name == "DISPLAY" ? ":0" : name == "PATH" ? "/usr/bin" : null,
            (_, _) => throw new InvalidOperationException("must not start"),
            _ => false);

        Assert.False(launcher.TryOpen(Url));
    }

    [Fact]
    public void Browser_that_fails_to_start_is_not_an_error()
    {
        var launcher = new BrowserLauncher(
            name => name == "DISPLAY" ? ":0" : name == "PATH" ? "/usr/bin" : null,
            (_, _) => throw new Win32Exception(2, "No such file or directory"),
            _ => true);

        Assert.False(launcher.TryOpen(Url));
    }
}
