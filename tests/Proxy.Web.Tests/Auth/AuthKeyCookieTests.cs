using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Auth;
using Proxy.Actors.Auth;
using Proxy.Web.Security;

namespace Proxy.Web.Tests.Auth;

/// <summary>The login page behind client keys, in the real host: the key form, its cookie and where the cookie counts.</summary>
public sealed class AuthKeyCookieTests : IDisposable
{
    private const string Key = "client-key-for-the-browser-1";
    private const string Html = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private readonly TempQwenDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<TestProxy> StartAsync() =>
        TestProxy.StartAsync(
            new Dictionary<string, string?> { ["PROXY_API_KEYS"] = Key, ["QWEN_DIR"] = _dir.Folder, ["QWEN_OAUTH_BASE_URL"] = "http://127.0.0.1:9" },
            services => services.AddQwenAuth(new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = new Uri("http://127.0.0.1:9") }),
            handler: new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });

    private static HttpRequestMessage Get(string path, string accept, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        return request;
    }

    private static HttpRequestMessage PostKey(string key) => new(HttpMethod.Post, "/auth/key")
    {
        Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("key", key)]),
    };

    [Fact]
    public async Task A_browser_without_the_key_gets_only_the_key_form_with_401()
    {
        await using var proxy = await StartAsync();

        using var response = await proxy.Client.SendAsync(Get("/auth", Html));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\" action=\"/auth/key\">", html);
        Assert.DoesNotContain("Account qwen", html);
        Assert.DoesNotContain("again", html);
    }

    [Fact]
    public async Task The_json_form_without_the_key_is_still_a_json_401()
    {
        await using var proxy = await StartAsync();

        using var response = await proxy.Client.SendAsync(Get("/auth", "application/json"));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("authentication_error", error.Type);
    }

    [Fact]
    public async Task The_right_key_sets_a_strict_httponly_cookie_for_auth_only_and_redirects_to_the_page()
    {
        await using var proxy = await StartAsync();

        using var response = await proxy.Client.SendAsync(PostKey(Key));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/auth", response.Headers.Location?.ToString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal($"qwen_proxy_auth={Uri.EscapeDataString(ClientKeys.AuthCookieValue(Key))}; path=/auth; samesite=strict; httponly", cookie);
        Assert.DoesNotContain(Key, cookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_gets_the_form_again_with_the_reason_and_no_cookie()
    {
        await using var proxy = await StartAsync();

        using var response = await proxy.Client.SendAsync(PostKey("not-the-key"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("<p id=\"key-error\" class=\"bad\">That is not one of the proxy&#x27;s keys (PROXY_API_KEYS).</p>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cookie_opens_the_auth_pages_and_nothing_else()
    {
        await using var proxy = await StartAsync();
        var cookie = "qwen_proxy_auth=" + Uri.EscapeDataString(ClientKeys.AuthCookieValue(Key));

        using var page = await proxy.Client.SendAsync(Get("/auth", Html, cookie));
        using var status = await proxy.Client.SendAsync(Get("/auth/status", "application/json", cookie));
        using var models = await proxy.Client.SendAsync(Get("/v1/models", "application/json", cookie));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Account qwen has no credential yet.", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
    }

    [Fact]
    public async Task A_key_form_posted_from_another_site_is_refused()
    {
        await using var proxy = await StartAsync();
        using var request = PostKey(Key);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "cross-site");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }
}
