using Proxy.Web.Configuration;

namespace Proxy.Web.Accounts;

/// <summary>
/// Without an accounts file, the single-account variables make a pool of one named <c>qwen</c>:
/// <c>UPSTREAM_BASE_URL</c> + <c>UPSTREAM_API_KEY</c>, else the Qwen OAuth credential in <c>QWEN_DIR</c>.
/// </summary>
internal static class SingleAccountPool
{
    public const string AccountName = "qwen";

    public static AccountPoolOptions From(ProxyOptions options)
    {
        var account = options.UpstreamBaseUrl is { } baseUrl
            ? new AccountDefinition
            {
                Name = AccountName,
                Kind = AccountKind.ApiKey,
                BaseUrl = baseUrl,
                ApiKey = options.UpstreamApiKey,
                ApiKeySource = "UPSTREAM_API_KEY",
                QwenHeaders = Actors.Upstream.QwenHeaders.IsQwenHost(baseUrl),
                ResponsesUrl = options.UpstreamResponsesUrl,
                MessagesUrl = options.UpstreamMessagesUrl,
            }
            : new AccountDefinition
            {
                Name = AccountName,
                Kind = AccountKind.QwenOAuth,
                BaseUrl = options.QwenApiBaseUrl,
                QwenDir = options.QwenDir,
                QwenHeaders = true,
                ResponsesUrl = options.UpstreamResponsesUrl,
                MessagesUrl = options.UpstreamMessagesUrl,
            };
        return new AccountPoolOptions { Accounts = [account] };
    }
}
