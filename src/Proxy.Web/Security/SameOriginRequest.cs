namespace Proxy.Web.Security;

/// <summary>
/// Whether a state-changing request (starting a device login, sending the key) came from a page of
/// another origin. Browsers say so themselves on every POST: <c>Sec-Fetch-Site</c> (anything but
/// <c>same-origin</c> or <c>none</c>) and <c>Origin</c> (another host and port, or <c>null</c>).
/// A request with neither comes from no browser (curl, an SDK) and cannot be forged by a page.
/// Chosen over ASP.NET Core antiforgery tokens because it needs no state: a token minted by one
/// instance behind nginx would need a key ring shared with the others to be checked there.
/// </summary>
internal static class SameOriginRequest
{
    public static bool IsCrossSite(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite.Count > 0)
        {
            return !(string.Equals(fetchSite[0], "same-origin", StringComparison.OrdinalIgnoreCase)
                || string.Equals(fetchSite[0], "none", StringComparison.OrdinalIgnoreCase));
        }

        var origin = request.Headers.Origin;
        if (origin.Count == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin[0], UriKind.Absolute, out var uri)
            || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
