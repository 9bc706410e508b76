using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Proxy.Browser.Tests;

/// <summary>A person logging in from headless chromium, with client keys on and off, against the emulator.</summary>
public sealed partial class LoginPageTests : IAsyncLifetime
{
    private const string Key = "browser-client-key-0001";
    private static readonly LocatorAssertionsToHaveTextOptions LoginWait = new() { Timeout = 30_000 };

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (Chromium.SkipReason is not null)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium.ExecutablePath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    [ChromiumFact]
    public async Task With_keys_the_page_asks_for_the_key_then_logs_in_and_loading_it_started_nothing()
    {
        await using var gateway = await LoginGateway.StartAsync(Key);
        var context = await _browser!.NewContextAsync();
        var page = await context.NewPageAsync();

        var first = await page.GotoAsync(new Uri(gateway.ProxyBase, "/auth").ToString());
        Assert.Equal(401, first!.Status);
        await Expect(page.Locator("#key")).ToBeVisibleAsync();
        await Screenshot(page, "auth-key-form");

        await page.FillAsync("#key", "not-the-key");
        await page.ClickAsync("#send-key");
        await Expect(page.Locator("#key-error")).ToHaveTextAsync("That is not one of the proxy's keys (PROXY_API_KEYS).");
        Assert.Empty(await context.CookiesAsync());

        await page.FillAsync("#key", Key);
        await page.ClickAsync("#send-key");
        await Expect(page.Locator("#account")).ToHaveTextAsync("Account qwen has no credential yet.");
        Assert.Equal(new Uri(gateway.ProxyBase, "/auth").ToString(), page.Url);
        await Screenshot(page, "auth-page-no-credential");

        var cookie = Assert.Single(await context.CookiesAsync());
        Assert.Equal("qwen_proxy_auth", cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/auth", cookie.Path);
        Assert.DoesNotContain(Key, cookie.Value, StringComparison.Ordinal);
        Assert.Equal(0, gateway.Emulator.State.DeviceCodeCount);

        await page.ClickAsync("#again");
        await Expect(page.Locator("#account")).ToHaveTextAsync(LoggedIn(), LoginWait);
        Assert.Equal(1, gateway.Emulator.State.DeviceCodeCount);
        Assert.Equal(1, gateway.Emulator.State.LoginCount);
        Assert.True(File.Exists(gateway.CredentialFile));
        await Screenshot(page, "auth-page-logged-in");
    }

    [ChromiumFact]
    public async Task Without_keys_the_page_opens_at_once_and_logs_in()
    {
        await using var gateway = await LoginGateway.StartAsync(clientKey: null);
        var page = await (await _browser!.NewContextAsync()).NewPageAsync();

        var first = await page.GotoAsync(new Uri(gateway.ProxyBase, "/auth").ToString());
        Assert.Equal(200, first!.Status);
        await Expect(page.Locator("#account")).ToHaveTextAsync("Account qwen has no credential yet.");
        await Expect(page.Locator("#key")).ToHaveCountAsync(0);
        Assert.Equal(0, gateway.Emulator.State.DeviceCodeCount);

        await page.ClickAsync("#again");
        await Expect(page.Locator("#account")).ToHaveTextAsync(LoggedIn(), LoginWait);
        Assert.Equal(1, gateway.Emulator.State.LoginCount);
    }

    [ChromiumFact]
    public async Task A_page_of_another_origin_cannot_start_a_login_even_with_the_cookie_set()
    {
        await using var gateway = await LoginGateway.StartAsync(Key);
        var page = await (await _browser!.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(new Uri(gateway.ProxyBase, "/auth").ToString());
        await page.FillAsync("#key", Key);
        await page.ClickAsync("#send-key");
        await Expect(page.Locator("#account")).ToBeVisibleAsync();

        // The emulator's origin: the same site (127.0.0.1), so the SameSite cookie goes along; another port, so another origin.
        await page.GotoAsync(gateway.Emulator.BaseUrl.ToString());
        var answer = await page.RunAndWaitForResponseAsync(
            () => page.EvaluateAsync(
                // No body, so no content type for the JSON-only body check to refuse: only the origin check stands in the way.
                "target => fetch(target, { method: 'POST', mode: 'no-cors', credentials: 'include' })",
                new Uri(gateway.ProxyBase, "/auth/login").ToString()),
            r => r.Url.EndsWith("/auth/login", StringComparison.Ordinal));

        Assert.Equal(403, answer.Status);
        Assert.Equal(0, gateway.Emulator.State.DeviceCodeCount);
    }

    [GeneratedRegex(@"^Account qwen is logged in; the access token is valid until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.$")]
    private static partial Regex LoggedIn();

    private static Task Screenshot(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
