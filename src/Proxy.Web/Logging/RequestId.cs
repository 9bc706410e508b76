namespace Proxy.Web.Logging;

/// <summary>The <c>X-Request-ID</c> rules: keep a sane client id, else make one.</summary>
internal static class RequestId
{
    public const string HeaderName = "X-Request-ID";
    public const int MaxLength = 128;

    /// <summary>1 to 128 characters of <c>[A-Za-z0-9._:-]</c>.</summary>
    public static bool IsSane(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new id: 32 lowercase hex digits, time-ordered.</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>The client's id when it sent exactly one sane one, else a new one.</summary>
    public static string FromHeader(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && IsSane(values[0]) ? values[0]! : New();
}
