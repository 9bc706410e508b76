using Proxy.Actors.Resilience;
using Proxy.Web.Auth;
using Proxy.Web.Configuration;

namespace Proxy.Web.Errors;

/// <summary>
/// Turns a named failure (<see cref="FailureKind"/>) into the client's answer, using the one
/// status/type mapping in <see cref="FailureKindExtensions"/>.
/// </summary>
internal static class FailureResponses
{
    /// <summary>Status 499: the client went away; logged, never written.</summary>
    public const int ClientClosedRequest = 499;

    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Answers with the failure of an upstream attempt.</summary>
    public static Task<bool> WriteAsync(HttpContext context, UpstreamResult result) =>
        WriteAsync(context, result.Failure, result.Message, result.StatusCode, result.Code, result.RetryAfter);

    /// <summary>
    /// Answers with <paramref name="kind"/>: status, envelope type, a clear message (the login URL
    /// for auth_required) and <c>Retry-After</c> where the client should come back later.
    /// Returns false when nothing could be written (response started, or the client left).
    /// </summary>
    public static async Task<bool> WriteAsync(
        HttpContext context,
        FailureKind kind,
        string? message = null,
        int upstreamStatus = 0,
        string? code = null,
        TimeSpan? retryAfter = null)
    {
        if (kind == FailureKind.ClientCanceled)
        {
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = ClientClosedRequest;
            }

            return false;
        }

        var status = kind.ToStatusCode(upstreamStatus);
        var text = Message(context, kind, message, upstreamStatus);
        return await OpenAiError.WriteAsync(context, status, kind.ToErrorType(), text, code ?? kind.ToErrorCode(), param: null, RetryAfter(kind, retryAfter));
    }

    /// <summary>The error event that ends a stream which failed after it started.</summary>
    public static byte[] ToSseEvent(HttpContext context, FailureKind kind, string? message = null, int upstreamStatus = 0, string? code = null) =>
        OpenAiError.ToSseEvent(Message(context, kind, message, upstreamStatus), kind.ToErrorType(), param: null, code ?? kind.ToErrorCode());

    /// <summary>Where a person can log in: <c>{scheme}://{host}/auth</c> of this proxy.</summary>
    public static string LoginUrl(HttpContext context) =>
        $"{context.Request.Scheme}://{context.Request.Host.Value ?? "127.0.0.1:8143"}/auth";

    internal static string Message(HttpContext context, FailureKind kind, string? message, int upstreamStatus)
    {
        if (kind is FailureKind.AuthRequired or FailureKind.Unauthorized)
        {
            if (context.RequestServices?.GetService<ProxyOptions>()?.UpstreamMode == UpstreamMode.ApiKey)
            {
                // No login fixes a rejected API key: no login advice here.
                return string.IsNullOrWhiteSpace(message) ? "The upstream rejected UPSTREAM_API_KEY; configure a valid key." : message.Trim();
            }

            var reason = string.IsNullOrWhiteSpace(message) ? "No usable upstream credential; a login is required." : message.Trim();
            return $"{reason} Log in at {LoginUrl(context)} or run {LoginAdvice.Command}.";
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            return message;
        }

        return kind switch
        {
            FailureKind.UpstreamUnreachable => "The upstream API could not be reached.",
            FailureKind.UpstreamServerError => upstreamStatus > 0 ? $"The upstream API failed with HTTP {upstreamStatus}." : "The upstream API failed.",
            FailureKind.UpstreamTimeout => "The upstream API did not answer in time.",
            FailureKind.RateLimited => "The upstream API is rate limiting requests; retry later.",
            FailureKind.QuotaExhausted => "The upstream account's quota is exhausted.",
            FailureKind.UpstreamClientError => upstreamStatus > 0 ? $"The upstream API rejected the request with HTTP {upstreamStatus}." : "The upstream API rejected the request.",
            FailureKind.StreamInterrupted => "The upstream stream broke before it completed.",
            FailureKind.StreamStalled => "The upstream stream went silent for too long.",
            FailureKind.CircuitOpen => "The upstream is failing; requests are paused for a moment.",
            FailureKind.ShuttingDown => "The proxy is shutting down; retry shortly.",
            _ => "The request failed.",
        };
    }

    private static TimeSpan? RetryAfter(FailureKind kind, TimeSpan? retryAfter) => kind switch
    {
        FailureKind.RateLimited or FailureKind.CircuitOpen or FailureKind.ShuttingDown => retryAfter ?? DefaultRetryAfter,
        _ => retryAfter,
    };
}
