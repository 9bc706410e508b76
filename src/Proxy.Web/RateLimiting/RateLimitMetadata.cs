using System.Threading.RateLimiting;

namespace Proxy.Web.RateLimiting;

/// <summary>Lease metadata the rate-limit headers are built from.</summary>
internal static class RateLimitMetadata
{
    /// <summary>Whole permits left in the bucket after this request.</summary>
    public static readonly MetadataName<long> Remaining = new("RATELIMIT_REMAINING");

    /// <summary>Time until the bucket is full again.</summary>
    public static readonly MetadataName<TimeSpan> Reset = new("RATELIMIT_RESET");
}
