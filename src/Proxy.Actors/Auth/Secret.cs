namespace Proxy.Actors.Auth;

/// <summary>The most of a secret a log line, a status page or an exception message may show.</summary>
internal static class Secret
{
    public static string Hint(string? value) =>
        string.IsNullOrEmpty(value) || value.Length <= 4 ? "****" : "…" + value[^4..];
}
