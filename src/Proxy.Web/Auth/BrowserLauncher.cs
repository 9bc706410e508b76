using System.Diagnostics;

namespace Proxy.Web.Auth;

/// <summary>
/// Opens a URL in the desktop's browser, only when there is a desktop (<c>DISPLAY</c> or
/// <c>WAYLAND_DISPLAY</c> set and <c>xdg-open</c> on the PATH). Never throws: the URL is printed anyway.
/// </summary>
internal sealed class BrowserLauncher
{
    private readonly Func<string, string?> _environment;
    private readonly Func<string, string[], bool> _start;
    private readonly Func<string, bool> _fileExists;

    public BrowserLauncher()
        : this(Environment.GetEnvironmentVariable, StartProcess)
    {
    }

    internal BrowserLauncher(Func<string, string?> environment, Func<string, string[], bool> start, Func<string, bool>? fileExists = null)
    {
        _environment = environment;
        _start = start;
        _fileExists = fileExists ?? File.Exists;
    }

    /// <summary>True when a browser was asked to open <paramref name="url"/>.</summary>
    public bool TryOpen(Uri url)
    {
        try
        {
            if (!HasDesktop() || FindOnPath("xdg-open") is not { } xdgOpen)
            {
                return false;
            }

            return _start(xdgOpen, [url.AbsoluteUri]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private bool HasDesktop() =>
        !string.IsNullOrEmpty(_environment("DISPLAY")) || !string.IsNullOrEmpty(_environment("WAYLAND_DISPLAY"));

    private string? FindOnPath(string program)
    {
        var path = _environment("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, program);
            if (_fileExists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool StartProcess(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start);
        return process is not null;
    }
}
