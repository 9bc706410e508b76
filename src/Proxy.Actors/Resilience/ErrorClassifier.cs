using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Polly.Timeout;

namespace Proxy.Actors.Resilience;

/// <summary>
/// The one place that turns what the upstream did (a status with headers and an error body, or an
/// exception) into a named <see cref="FailureKind"/> with a message fit for the client.
/// </summary>
internal static partial class ErrorClassifier
{
    /// <summary>The most of an error body that is read; the rest is left unread.</summary>
    internal const int MaxErrorBodyBytes = 8 * 1024;

    /// <summary>The longest upstream message relayed to the client.</summary>
    internal const int MaxMessageLength = 1_000;

    /// <summary>
    /// A success status gives a success result owning the unread response. Any other status reads
    /// at most <see cref="MaxErrorBodyBytes"/> of the body, disposes the response and classifies.
    /// </summary>
    /// <param name="secret">The credential used for the call; it is cut out of any relayed text.</param>
    public static async Task<UpstreamResult> ClassifyAsync(HttpResponseMessage response, DateTimeOffset now, string? secret, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return UpstreamResult.Success(response);
        }

        using (response)
        {
            var body = await ReadBodyPrefixAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            return Classify((int)response.StatusCode, response.Headers, body, now, secret);
        }
    }

    /// <summary>Classifies a non-success answer from its status, headers and (prefix of the) body.</summary>
    public static UpstreamResult Classify(int status, HttpResponseHeaders? headers, string body, DateTimeOffset now, string? secret = null)
    {
        var error = UpstreamErrorBody.Parse(body);
        var message = Sanitize(error.Message, secret);
        var quotaWording = MentionsQuota(error.Code) || MentionsQuota(error.Type) || MentionsQuota(error.Message) || MentionsQuota(body);

        if (status == 401)
        {
            return UpstreamResult.Fail(FailureKind.Unauthorized, status, message ?? "The upstream rejected the credential.", error.Code);
        }

        if (quotaWording && status is 429 or 403)
        {
            var reset = RetryAfter(headers, now) ?? RateLimitReset(headers, now) ?? error.ResetAfter(now);
            return UpstreamResult.Fail(
                FailureKind.QuotaExhausted,
                status,
                message ?? "The upstream account has exhausted its quota.",
                "insufficient_quota",
                reset);
        }

        if (status == 429)
        {
            var retryAfter = RetryAfter(headers, now) ?? error.ResetAfter(now);
            return UpstreamResult.Fail(FailureKind.RateLimited, status, message ?? "The upstream is rate limiting requests.", error.Code ?? "rate_limit_exceeded", retryAfter);
        }

        if (status is >= 400 and < 500)
        {
            return UpstreamResult.Fail(FailureKind.UpstreamClientError, status, message ?? $"The upstream rejected the request with status {status}.", error.Code);
        }

        var detail = message is null ? string.Empty : ": " + message;
        return status >= 500
            ? UpstreamResult.Fail(FailureKind.UpstreamServerError, status, $"The upstream failed with status {status}{detail}", error.Code)
            : UpstreamResult.Fail(FailureKind.UpstreamServerError, status, $"The upstream answered with unexpected status {status}.", error.Code);
    }

    /// <summary>
    /// Classifies an exception raised before the response headers arrived. Cancellation counts as the
    /// client's only when <paramref name="clientToken"/> asked for it; any other cancellation is a timeout.
    /// </summary>
    public static UpstreamResult Classify(Exception exception, CancellationToken clientToken)
    {
        switch (exception)
        {
            case Proxy.Actors.Auth.AuthRequiredException auth:
                return UpstreamResult.Fail(FailureKind.AuthRequired, 0, auth.Message);
            case OperationCanceledException when clientToken.IsCancellationRequested:
                return UpstreamResult.Fail(FailureKind.ClientCanceled, 499, "The client closed the request.");
            case TimeoutRejectedException or TimeoutException or OperationCanceledException:
                return UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer in time.");
            case HttpRequestException { InnerException: TimeoutException }:
                return UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer in time.");
            case HttpRequestException http:
                return UpstreamResult.Fail(FailureKind.UpstreamUnreachable, 0, $"The upstream could not be reached ({Reason(http)}).");
            case SocketException socket:
                return UpstreamResult.Fail(FailureKind.UpstreamUnreachable, 0, $"The upstream could not be reached ({socket.SocketErrorCode}).");
            case IOException:
                return UpstreamResult.Fail(FailureKind.UpstreamUnreachable, 0, "The upstream connection broke before it answered.");
            default:
                return UpstreamResult.Fail(FailureKind.UpstreamServerError, 0, "The upstream call failed unexpectedly.");
        }
    }

    /// <summary>True for exceptions a retry may cure: network failures and timeouts not asked for by the caller.</summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        OperationCanceledException => !callerToken.IsCancellationRequested,
        HttpRequestException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    private static string Reason(HttpRequestException exception)
    {
        if (exception.HttpRequestError != HttpRequestError.Unknown)
        {
            return exception.HttpRequestError.ToString();
        }

        return exception.InnerException switch
        {
            SocketException socket => socket.SocketErrorCode.ToString(),
            IOException => "connection broken",
            _ => "request failed",
        };
    }

    private static bool MentionsQuota(string? text) =>
        text is not null && text.Contains("quota", StringComparison.OrdinalIgnoreCase);

    /// <summary>Retry-After as seconds or an HTTP date, relative to <paramref name="now"/>.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        var value = headers?.RetryAfter;
        if (value?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (value?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary><c>X-RateLimit-Reset</c>: epoch seconds when large, else seconds from now.</summary>
    private static TimeSpan? RateLimitReset(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        if (headers is null || !headers.TryGetValues("X-RateLimit-Reset", out var values))
        {
            return null;
        }

        foreach (var raw in values)
        {
            if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= 0)
            {
                return UpstreamErrorBody.FromNumber(number, now);
            }
        }

        return null;
    }

    /// <summary>Cuts the credential and any bearer token out of relayed text and bounds its length.</summary>
    internal static string? Sanitize(string? text, string? secret)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!string.IsNullOrEmpty(secret))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        text = BearerToken().Replace(text, "Bearer ***").Trim();
        return text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");
    }

    private static async Task<string> ReadBodyPrefixAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(limit);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var filled = 0;
                while (filled < limit)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(filled, limit - filled), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                }

                return Encoding.UTF8.GetString(buffer, 0, filled);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The body broke while being read: classify on the status alone.
            return string.Empty;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [GeneratedRegex(@"Bearer\s+[A-Za-z0-9\-._~+/=]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerToken();
}
