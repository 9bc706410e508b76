namespace Proxy.Browser.Tests;

/// <summary>A fact that needs chromium: skipped with the reason when it is not installed.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute() => Skip = Chromium.SkipReason;
}
