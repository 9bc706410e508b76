using System.Data.Common;

namespace Proxy.Web.Logging;

/// <summary>The one way a secret may appear in a log line or a response: masked.</summary>
public static class Secrets
{
    /// <summary>
    /// <c>…wxyz</c>: at most the last four characters; <c>****</c> for secrets shorter than
    /// eight characters; <c>(none)</c> for null or empty.
    /// </summary>
    public static string Mask(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "(none)";
        }

        return secret.Length < 8 ? "****" : "…" + secret[^4..];
    }

    /// <summary>
    /// A connection string with its password hidden: keyword form
    /// (<c>Host=db;Password=****</c>) or URL form (<c>postgres://user:****@db/proxy</c>).
    /// Anything unparsable is masked whole.
    /// </summary>
    public static string MaskConnectionString(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return "(none)";
        }

        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new UriBuilder(uri) { Password = uri.UserInfo.Contains(':', StringComparison.Ordinal) ? "****" : string.Empty };
            return builder.Uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Query, UriFormat.SafeUnescaped);
        }

        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (IsSecretKeyword(key))
                {
                    builder[key] = "****";
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return Mask(connectionString);
        }
    }

    /// <summary>
    /// A URL safe to log: any user info and query string are replaced by <c>****</c>
    /// (<c>https://****@host/v1?****</c>), since either may carry a credential.
    /// </summary>
    public static string MaskUrl(Uri? url)
    {
        if (url is null)
        {
            return "(none)";
        }

        if (!url.IsAbsoluteUri)
        {
            return url.OriginalString;
        }

        var text = url.GetLeftPart(UriPartial.Path);
        if (url.UserInfo.Length > 0)
        {
            text = text.Replace(url.UserInfo + "@", "****@", StringComparison.Ordinal);
        }

        return url.Query.Length > 1 ? text + "?****" : text;
    }

    private static bool IsSecretKeyword(string key) =>
        key.Equals("password", StringComparison.OrdinalIgnoreCase)
        || key.Equals("pwd", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("token", StringComparison.OrdinalIgnoreCase)
        || key.Contains("key", StringComparison.OrdinalIgnoreCase);
}
