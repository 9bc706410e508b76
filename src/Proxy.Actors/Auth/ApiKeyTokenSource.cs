namespace Proxy.Actors.Auth;

/// <summary>
/// The token source of an API-key upstream (<c>UPSTREAM_BASE_URL</c> + <c>UPSTREAM_API_KEY</c>:
/// DashScope compatible-mode, OpenRouter, ...). The key never expires and cannot be renewed; it can
/// be replaced (<see cref="Replace"/>) when the accounts file is re-read.
/// </summary>
public sealed class ApiKeyTokenSource : ITokenSource
{
    private AccessToken _token;

    /// <param name="baseUrl">The upstream API base, used as given (e.g. <c>https://dashscope.aliyuncs.com/compatible-mode/v1</c>).</param>
    /// <param name="apiKey">The key sent as <c>Authorization: Bearer</c>.</param>
    public ApiKeyTokenSource(Uri baseUrl, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        if (!baseUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The upstream base URL must be absolute.", nameof(baseUrl));
        }

        _token = new AccessToken(apiKey, DateTimeOffset.MaxValue, new Uri(baseUrl.ToString().TrimEnd('/')));
    }

    /// <summary>The key requests present from now on (a rotated key, re-read from the accounts file).</summary>
    public void Replace(string apiKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        var current = Volatile.Read(ref _token);
        Volatile.Write(ref _token, new AccessToken(apiKey, DateTimeOffset.MaxValue, current.ApiBase));
    }

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<AccessToken>(cancellationToken)
            : ValueTask.FromResult(Volatile.Read(ref _token));

    /// <summary>An API key the upstream rejects cannot be renewed here: it needs a new <c>UPSTREAM_API_KEY</c>.</summary>
    /// <summary>The key in place when it is not the one rejected (it was replaced meanwhile); else the rejection.</summary>
    public ValueTask<AccessToken> RenewAfterUnauthorizedAsync(AccessToken rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var current = Volatile.Read(ref _token);
        return current.Value != rejected.Value
            ? ValueTask.FromResult(current)
            : ValueTask.FromException<AccessToken>(new AuthRequiredException(
                $"The upstream at {rejected.ApiBase.Authority} rejected UPSTREAM_API_KEY ({rejected.Hint}); configure a valid key."));
    }
}
