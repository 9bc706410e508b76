namespace Proxy.Actors.Auth;

/// <summary>The upstream API base of an OAuth credential, from its <c>resource_url</c>.</summary>
internal static class ApiBaseResolver
{
    public static readonly Uri DefaultApiBase = new("https://portal.qwen.ai/v1");

    /// <summary>
    /// The override when given; else <paramref name="resourceUrl"/> with <c>https://</c> added when it
    /// has no scheme (<c>http://</c> for a loopback host, which a local test server such as the
    /// emulator serves without TLS; an explicit scheme is kept) and <c>/v1</c> added when missing;
    /// else <see cref="DefaultApiBase"/>.
    /// </summary>
    public static Uri Resolve(string? resourceUrl, Uri? apiBaseOverride)
    {
        if (apiBaseOverride is not null)
        {
            return new Uri(apiBaseOverride.ToString().TrimEnd('/'));
        }

        var url = resourceUrl?.Trim();
        if (string.IsNullOrEmpty(url))
        {
            return DefaultApiBase;
        }

        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            url = (IsLoopback(url) ? "http://" : "https://") + url;
        }

        url = url.TrimEnd('/');
        if (!url.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            url += "/v1";
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : DefaultApiBase;
    }

    /// <summary>True when a scheme-less <c>host[:port][/path]</c> names this machine (<c>localhost</c>, 127.0.0.0/8, ::1).</summary>
    private static bool IsLoopback(string schemeless) =>
        Uri.TryCreate("http://" + schemeless, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
