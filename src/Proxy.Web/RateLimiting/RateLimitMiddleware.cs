using System.Globalization;
using System.Threading.RateLimiting;
using Proxy.Web.Errors;
using Proxy.Web.Logging;
using Proxy.Web.Metrics;
using Proxy.Web.Security;

namespace Proxy.Web.RateLimiting;

/// <summary>
/// Token bucket per client (key, else IP), from <see cref="ClientRateLimiter"/>. Every limited response carries
/// <c>X-RateLimit-Limit</c> (bucket size), <c>X-RateLimit-Remaining</c> (whole requests left) and
/// <c>X-RateLimit-Reset</c> (seconds until the bucket is full again, at the latest); over the limit the answer is
/// 429 <c>rate_limit_error</c> with <c>Retry-After</c>. <c>/health*</c> and <c>/metrics</c> are exempt.
/// </summary>
internal sealed class RateLimitMiddleware(RequestDelegate next, ClientRateLimiter limiter, ProxyMetrics metrics, ILogger<RateLimitMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!limiter.Enabled || PublicPaths.SkipsRateLimit(context.Request.Path) || HttpMethods.IsOptions(context.Request.Method))
        {
            await next(context);
            return;
        }

        var partition = Partition(context);
        using var lease = limiter.Acquire(partition);
        var remaining = limiter.Remaining(partition);
        var reset = limiter.TimeToFull(remaining);
        var headers = new RateLimitHeaders(
            limiter.Limit.ToString(CultureInfo.InvariantCulture),
            remaining.ToString(CultureInfo.InvariantCulture),
            ((long)Math.Ceiling(reset.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        context.Response.OnStarting(static state =>
        {
            var (response, values) = ((HttpResponse, RateLimitHeaders))state;
            response.Headers["X-RateLimit-Limit"] = values.Limit;
            response.Headers["X-RateLimit-Remaining"] = values.Remaining;
            response.Headers["X-RateLimit-Reset"] = values.Reset;
            return Task.CompletedTask;
        }, (context.Response, headers));

        if (lease.IsAcquired)
        {
            await next(context);
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? delay : TimeSpan.FromSeconds(1);
        var seconds = OpenAiError.RetryAfterSeconds(retryAfter);
        metrics.RecordRateLimited();
        ProxyLog.RateLimited(logger, partition, seconds);
        var rate = limiter.TokensPerSecond.ToString(CultureInfo.InvariantCulture);
        await OpenAiError.WriteAsync(
            context,
            StatusCodes.Status429TooManyRequests,
            ErrorTypes.RateLimit,
            $"Rate limit exceeded: {rate} requests per second with bursts of {limiter.Limit} per client. Retry after {seconds} s.",
            "rate_limit_exceeded",
            retryAfter: retryAfter);
    }

    private static string Partition(HttpContext context) =>
        context.Features.Get<ClientIdentity>() is { } client
            ? client.Id
            : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    private sealed record RateLimitHeaders(string Limit, string Remaining, string Reset);
}
