using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Upstream;

/// <summary>
/// Sends requests to the upstream over one shared, pooled <see cref="HttpClient"/> and classifies
/// each answer. A call gets its token per attempt, so a retry after a refresh uses the new one.
/// </summary>
internal sealed class QwenUpstreamClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly UpstreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private const string RequestIdHeader = "X-Request-ID";
    private readonly string _userAgent;
    private readonly string _proxyUserAgent;

    public QwenUpstreamClient(UpstreamOptions options, TimeProvider? time = null, ILogger<QwenUpstreamClient>? logger = null, HttpMessageHandler? handler = null)
    {
        _options = options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<QwenUpstreamClient>.Instance;
        _userAgent = options.UserAgent;
        _proxyUserAgent = options.ProxyUserAgent;
        _http = new HttpClient(handler ?? options.CreateHandler(), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public UpstreamOptions Options => _options;

    /// <summary>
    /// A call that POSTs <paramref name="body"/> (sent as is, not copied) to
    /// <c>{token.ApiBase}/{path}</c>. Each invocation is one attempt as far as a retry policy is
    /// concerned: it gets a token, sends, and on 401 renews the token and sends once more.
    /// Every failure comes back as a classified <see cref="UpstreamResult"/>; only cancellation of
    /// the call's own token is thrown (as <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="path">Relative to the API base, e.g. <c>chat/completions</c>, or an absolute http(s) URL used as it is.</param>
    /// <param name="extraHeaders">Added to every attempt (e.g. a request id); headers the client sets itself are ignored.</param>
    /// <param name="stream">Whether the answer is an event stream; read from the body's <c>stream</c> flag when omitted.</param>
    public UpstreamCall CreateCall(
        ReadOnlyMemory<byte> body,
        string path,
        ITokenSource tokens,
        IReadOnlyDictionary<string, string>? extraHeaders,
        bool? stream = null) =>
        Create(body, path, tokens, extraHeaders, requestId: null, stream ?? StreamFlag.IsStreaming(body.Span));

    /// <summary>
    /// As <see cref="CreateCall(ReadOnlyMemory{byte}, string, ITokenSource, IReadOnlyDictionary{string, string}?, bool?)"/>
    /// with one extra header, <c>X-Request-ID: <paramref name="requestId"/></c>, and nothing built per request to carry it.
    /// </summary>
    /// <param name="auth">How the token is presented: <c>Authorization: Bearer</c>, or <c>x-api-key</c> (Anthropic Messages).</param>
    /// <param name="account">The account's identity and extra headers; when null, Qwen Code's identity goes to Qwen OAuth and Qwen's hosts only.</param>
    public UpstreamCall CreateCall(
        ReadOnlyMemory<byte> body, string path, ITokenSource tokens, string requestId, bool stream, UpstreamAuthStyle auth = UpstreamAuthStyle.Bearer, AccountHeaders? account = null)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return Create(body, path, tokens, account?.Extra, requestId, stream, auth, account?.QwenIdentity);
    }

    private UpstreamCall Create(
        ReadOnlyMemory<byte> body,
        string path,
        ITokenSource tokens,
        IReadOnlyDictionary<string, string>? extraHeaders,
        string? requestId,
        bool stream,
        UpstreamAuthStyle auth = UpstreamAuthStyle.Bearer,
        bool? qwenIdentity = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tokens);
        return new CallSpec(this, body, IsAbsolute(path) ? path : path.TrimStart('/'), tokens, extraHeaders, requestId, stream, auth, qwenIdentity).Invoke;
    }

    private static bool IsAbsolute(string path) =>
        path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public void Dispose() => _http.Dispose();

    private async Task<UpstreamResult> SendAsync(CallSpec call, CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await call.Tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AuthRequiredException ex)
        {
            return AuthRequired(ex);
        }
        catch (TokenRefreshFailedException ex)
        {
            return NoToken(ex);
        }

        var result = await AttemptAsync(token, call, cancellationToken).ConfigureAwait(false);
        if (result.Failure != FailureKind.Unauthorized)
        {
            return result;
        }

        UpstreamLog.Renewing(_logger, token.Hint);
        result.Dispose();
        try
        {
            token = await call.Tokens.RenewAfterUnauthorizedAsync(token, cancellationToken).ConfigureAwait(false);
        }
        catch (AuthRequiredException ex)
        {
            return AuthRequired(ex);
        }
        catch (TokenRefreshFailedException ex)
        {
            return NoToken(ex);
        }

        var second = await AttemptAsync(token, call, cancellationToken).ConfigureAwait(false);
        if (second.Failure == FailureKind.Unauthorized)
        {
            UpstreamLog.RenewedTokenRejected(_logger, token.Hint);
        }

        return second;
    }

    private async Task<UpstreamResult> AttemptAsync(AccessToken token, CallSpec call, CancellationToken cancellationToken)
    {
        var headersTimeout = call.Stream ? _options.StreamHeadersTimeout : _options.ResponseHeadersTimeout;
        using var timeout = headersTimeout is { } delay ? new CancellationTokenSource(delay, _time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var attemptToken = linked?.Token ?? cancellationToken;

        var request = BuildRequest(token, call);
        UpstreamResult result;
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken).ConfigureAwait(false);
            result = await ErrorClassifier.ClassifyAsync(response, _time.GetUtcNow(), token.Value, attemptToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            request.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or OperationCanceledException or TimeoutException)
        {
            request.Dispose();
            result = ErrorClassifier.Classify(ex, cancellationToken);
            UpstreamLog.SendFailed(_logger, call.Path, result.Failure, result.Message);
            return result;
        }

        if (!result.IsSuccess)
        {
            request.Dispose();
        }

        UpstreamLog.Answered(_logger, call.Path, result.StatusCode, result.Failure, token.Hint);
        return result;
    }

    private HttpRequestMessage BuildRequest(AccessToken token, CallSpec call)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Target(token.ApiBase, call.Path))
        {
            Version = _options.HttpVersion,
            VersionPolicy = _options.VersionPolicy,
            Content = new ReadOnlyMemoryContent(call.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(QwenHeaders.Json);

        var headers = request.Headers;
        if (call.Auth == UpstreamAuthStyle.ApiKeyHeader)
        {
            headers.TryAddWithoutValidation("x-api-key", token.Value);
        }
        else
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }

        if (call.QwenIdentity ?? QwenHeaders.ExpectedBy(token))
        {
            headers.TryAddWithoutValidation("User-Agent", _userAgent);
            headers.TryAddWithoutValidation(QwenHeaders.DashScopeUserAgent, _userAgent);
            if (QwenHeaders.IsOAuth(token))
            {
                headers.TryAddWithoutValidation(QwenHeaders.DashScopeAuthType, QwenHeaders.OAuthAuthType);
            }

            headers.TryAddWithoutValidation(QwenHeaders.DashScopeCacheControl, "enable");
        }
        else
        {
            headers.TryAddWithoutValidation("User-Agent", _proxyUserAgent);
        }

        headers.TryAddWithoutValidation("Accept", call.Stream ? QwenHeaders.EventStream : QwenHeaders.Json);

        if (call.RequestId is { } requestId)
        {
            headers.TryAddWithoutValidation(RequestIdHeader, requestId);
        }

        if (call.ExtraHeaders is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                if (!QwenHeaders.Reserved.Contains(name))
                {
                    headers.TryAddWithoutValidation(name, value);
                }
            }
        }

        return request;
    }

    private static Uri Target(Uri apiBase, string path)
    {
        if (IsAbsolute(path))
        {
            return new Uri(path, UriKind.Absolute);
        }

        var root = apiBase.AbsoluteUri;
        return new Uri(root.EndsWith('/') ? root + path : root + "/" + path, UriKind.Absolute);
    }

    private UpstreamResult AuthRequired(AuthRequiredException exception)
    {
        UpstreamLog.AuthRequired(_logger, exception.Message);
        return ErrorClassifier.Classify(exception, CancellationToken.None);
    }

    /// <summary>
    /// No token for a reason that may pass: a refresh failing for network reasons is transient (a
    /// 502 after the retries), a token manager that has stopped means the server is shutting down.
    /// </summary>
    private static UpstreamResult NoToken(Exception exception) => exception is TokenRefreshFailedException
        ? UpstreamResult.Fail(FailureKind.UpstreamUnreachable, 0, "The upstream access token could not be refreshed; try again shortly.")
        : UpstreamResult.Fail(FailureKind.ShuttingDown, 0, "The server is shutting down.");

    /// <summary>One call's fixed parts; <see cref="Invoke"/> is the call itself (one delegate, no closure).</summary>
    private sealed record CallSpec(
        QwenUpstreamClient Client,
        ReadOnlyMemory<byte> Body,
        string Path,
        ITokenSource Tokens,
        IReadOnlyDictionary<string, string>? ExtraHeaders,
        string? RequestId,
        bool Stream,
        UpstreamAuthStyle Auth,
        bool? QwenIdentity)
    {
        public Task<UpstreamResult> Invoke(CancellationToken cancellationToken) => Client.SendAsync(this, cancellationToken);
    }
}
