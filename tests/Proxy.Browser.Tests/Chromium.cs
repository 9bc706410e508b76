namespace Proxy.Browser.Tests;

/// <summary>
/// Debian's chromium, which Playwright drives here (it cannot download its own browsers). Tests
/// skip when it is absent, saying why; with <c>REQUIRE_CHROMIUM=1</c> (set by <c>.ci/run</c>, which
/// installs it) they run and fail instead, so CI never passes by skipping.
/// </summary>
internal static class Chromium
{
    /// <summary>Debian's <c>/usr/bin/chromium</c>, or <c>CHROMIUM_PATH</c> when set.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_CHROMIUM") == "1";

    public static string? SkipReason =>
        File.Exists(ExecutablePath) || Required
            ? null
            : $"chromium is not installed at {ExecutablePath}; install it with `apt-get install -y chromium` (.ci/run does).";
}
