namespace Proxy.Actors.Resilience;

/// <summary>What a retry policy needs to know of an attempt: did it fail, how, and when to try again.</summary>
public interface IUpstreamOutcome
{
    FailureKind Failure { get; }

    TimeSpan? RetryAfter { get; }
}

/// <summary>
/// One attempt at the upstream, classified: either a response with a success status whose body
/// has not been read yet, or a named failure with what the client should be told.
/// </summary>
public sealed class UpstreamResult : IUpstreamOutcome, IDisposable
{
    private UpstreamResult(HttpResponseMessage? response, FailureKind failure, int statusCode, string? message, string? code, TimeSpan? retryAfter)
    {
        Response = response;
        Failure = failure;
        StatusCode = statusCode;
        Message = message;
        Code = code;
        RetryAfter = retryAfter;
    }

    /// <summary>The upstream response (success only); its body is unread and owned by the caller.</summary>
    public HttpResponseMessage? Response { get; }

    public FailureKind Failure { get; }

    public bool IsSuccess => Failure == FailureKind.None;

    /// <summary>The upstream's HTTP status, or 0 when no response arrived.</summary>
    public int StatusCode { get; }

    /// <summary>A message fit for the client (never a secret, never a stack trace).</summary>
    public string? Message { get; }

    /// <summary>The upstream's error code when it gave one (e.g. <c>insufficient_quota</c>).</summary>
    public string? Code { get; }

    public TimeSpan? RetryAfter { get; }

    public static UpstreamResult Success(HttpResponseMessage response) =>
        new(response, FailureKind.None, (int)response.StatusCode, null, null, null);

    public static UpstreamResult Fail(FailureKind failure, int statusCode, string message, string? code = null, TimeSpan? retryAfter = null)
    {
        if (failure == FailureKind.None)
        {
            throw new ArgumentException("A failure needs a kind.", nameof(failure));
        }

        return new(null, failure, statusCode, message, code, retryAfter);
    }

    public void Dispose() => Response?.Dispose();
}

/// <summary>One upstream attempt: send the request, read the headers, classify.</summary>
public delegate Task<UpstreamResult> UpstreamCall(CancellationToken cancellationToken);
