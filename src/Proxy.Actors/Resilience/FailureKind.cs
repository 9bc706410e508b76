namespace Proxy.Actors.Resilience;

/// <summary>
/// Every way a proxied call can fail, named once. Each kind has one HTTP mapping (before the
/// response started) and one stream error event (after), see <see cref="FailureKindExtensions"/>.
/// </summary>
public enum FailureKind
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>Connection refused, reset or DNS failure before any response headers (transient).</summary>
    UpstreamUnreachable,

    /// <summary>Upstream answered 5xx (transient).</summary>
    UpstreamServerError,

    /// <summary>No response headers or first event in time (transient before the first byte).</summary>
    UpstreamTimeout,

    /// <summary>Upstream answered 429 without quota wording; honour Retry-After.</summary>
    RateLimited,

    /// <summary>Upstream answered 429/403 with quota wording: the account cools down.</summary>
    QuotaExhausted,

    /// <summary>Upstream answered 401: refresh once, retry once.</summary>
    Unauthorized,

    /// <summary>Upstream answered another 4xx: relayed with its status, never retried.</summary>
    UpstreamClientError,

    /// <summary>The upstream stream broke after it started (reset, malformed end).</summary>
    StreamInterrupted,

    /// <summary>The upstream stream went silent longer than the read timeout.</summary>
    StreamStalled,

    /// <summary>The account's circuit breaker is open.</summary>
    CircuitOpen,

    /// <summary>No usable credential: a login is needed.</summary>
    AuthRequired,

    /// <summary>The client went away; nothing is written.</summary>
    ClientCanceled,

    /// <summary>The proxy is shutting down.</summary>
    ShuttingDown,
}

/// <summary>
/// The one mapping of failure kinds to what leaves the proxy: HTTP status (before the response
/// started), envelope error type and code (the same in an HTTP answer and in a stream's error
/// event) and metric label. Every path (error answers, stream error events, metrics) reads it here.
/// </summary>
public static class FailureKindExtensions
{
    /// <summary>True when a retry may help, as long as nothing reached the client.</summary>
    public static bool IsTransient(this FailureKind kind) => kind is
        FailureKind.UpstreamUnreachable or FailureKind.UpstreamServerError or FailureKind.UpstreamTimeout
        or FailureKind.RateLimited;

    /// <summary>True when the failure says the upstream is unhealthy (counts against the breaker).</summary>
    public static bool CountsAgainstBreaker(this FailureKind kind) => kind is
        FailureKind.UpstreamUnreachable or FailureKind.UpstreamServerError or FailureKind.UpstreamTimeout
        or FailureKind.StreamInterrupted or FailureKind.StreamStalled;

    /// <summary>HTTP status for the failure when the response has not started.</summary>
    public static int ToStatusCode(this FailureKind kind, int upstreamStatus = 0) => kind switch
    {
        FailureKind.UpstreamUnreachable or FailureKind.UpstreamServerError or FailureKind.StreamInterrupted => 502,
        FailureKind.UpstreamTimeout or FailureKind.StreamStalled => 504,
        FailureKind.RateLimited or FailureKind.QuotaExhausted => 429,
        FailureKind.Unauthorized or FailureKind.AuthRequired or FailureKind.CircuitOpen or FailureKind.ShuttingDown => 503,
        FailureKind.UpstreamClientError => upstreamStatus is >= 400 and < 500 ? upstreamStatus : 400,
        FailureKind.ClientCanceled => 499,
        _ => 500,
    };

    /// <summary>OpenAI envelope <c>type</c> for the failure.</summary>
    public static string ToErrorType(this FailureKind kind) => kind switch
    {
        FailureKind.UpstreamTimeout or FailureKind.StreamStalled => "upstream_timeout",
        FailureKind.RateLimited => "rate_limit_error",
        FailureKind.QuotaExhausted => "insufficient_quota",
        FailureKind.Unauthorized or FailureKind.AuthRequired => "auth_required",
        FailureKind.CircuitOpen => "circuit_open",
        FailureKind.UpstreamClientError => "invalid_request_error",
        FailureKind.ShuttingDown => "service_unavailable",
        _ => "upstream_error",
    };

    /// <summary>
    /// The envelope <c>code</c> for the failure, null when the kind has none of its own (the
    /// upstream's code, when it gave one, is passed on instead). The same before and after the
    /// first byte: a stall is <c>stream_stalled</c> wherever it is seen.
    /// </summary>
    public static string? ToErrorCode(this FailureKind kind) => kind switch
    {
        FailureKind.RateLimited => "rate_limit_exceeded",
        FailureKind.QuotaExhausted => "insufficient_quota",
        FailureKind.CircuitOpen => "circuit_open",
        FailureKind.AuthRequired or FailureKind.Unauthorized => "login_required",
        FailureKind.UpstreamTimeout => "upstream_timeout",
        FailureKind.StreamStalled => "stream_stalled",
        FailureKind.StreamInterrupted => "stream_interrupted",
        FailureKind.ShuttingDown => "shutting_down",
        _ => null,
    };

    /// <summary>The <c>kind</c> label of the failure metrics.</summary>
    public static string ToMetricLabel(this FailureKind kind) => kind switch
    {
        FailureKind.None => "none",
        FailureKind.UpstreamUnreachable => "upstream_unreachable",
        FailureKind.UpstreamServerError => "upstream_server_error",
        FailureKind.UpstreamTimeout => "upstream_timeout",
        FailureKind.RateLimited => "rate_limited",
        FailureKind.QuotaExhausted => "quota_exhausted",
        FailureKind.Unauthorized => "unauthorized",
        FailureKind.UpstreamClientError => "upstream_client_error",
        FailureKind.StreamInterrupted => "stream_interrupted",
        FailureKind.StreamStalled => "stream_stalled",
        FailureKind.CircuitOpen => "circuit_open",
        FailureKind.AuthRequired => "auth_required",
        FailureKind.ClientCanceled => "client_canceled",
        FailureKind.ShuttingDown => "shutting_down",
        _ => "other",
    };
}
