namespace Proxy.Actors.Auth;

/// <summary>
/// The token source of an API-key upstream (<c>UPSTREAM_BASE_URL</c> + <c>UPSTREAM_API_KEY</c>:
/// DashScope compatible-mode, OpenRouter, ...). The key never expires and cannot be renewed.
/// </summary>
public sealed class ApiKeyTokenSource : ITokenSource
{
    private readonly AccessToken _token;

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

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<AccessToken>(cancellationToken)
            : ValueTask.FromResult(_token);

    /// <summary>An API key the upstream rejects cannot be renewed here: it needs a new <c>UPSTREAM_API_KEY</c>.</summary>
    public ValueTask<AccessToken> RenewAfterUnauthorizedAsync(AccessToken rejected, CancellationToken cancellationToken) =>
        ValueTask.FromException<AccessToken>(new AuthRequiredException(
            $"The upstream at {_token.ApiBase.Authority} rejected UPSTREAM_API_KEY ({_token.Hint}); configure a valid key."));
}
