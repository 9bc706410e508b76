namespace Proxy.Actors.Auth;

/// <summary>The upstream API base of an OAuth credential, from its <c>resource_url</c>.</summary>
internal static class ApiBaseResolver
{
    public static readonly Uri DefaultApiBase = new("https://portal.qwen.ai/v1");

    /// <summary>
    /// The override when given; else <paramref name="resourceUrl"/> with <c>https://</c> added when it
    /// has no scheme (an explicit <c>http://</c> is kept) and <c>/v1</c> added when missing; else
    /// <see cref="DefaultApiBase"/>.
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
            url = "https://" + url;
        }

        url = url.TrimEnd('/');
        if (!url.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            url += "/v1";
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : DefaultApiBase;
    }
}
