using Proxy.Actors.Auth;
using Proxy.Web.Configuration;

namespace Proxy.Web.Auth;

internal static class QwenAuthOptionsMapping
{
    /// <summary>The auth settings of the proxy's configuration (<c>QWEN_DIR</c>, <c>QWEN_OAUTH_BASE_URL</c>, <c>QWEN_API_BASE_URL</c>, <c>TOKEN_REFRESH_BUFFER</c>).</summary>
    public static QwenAuthOptions ToQwenAuthOptions(this ProxyOptions options) => new()
    {
        QwenDir = options.QwenDir,
        OAuthBaseUrl = options.QwenOAuthBaseUrl,
        ApiBaseOverride = options.QwenApiBaseUrl,
        RefreshBuffer = options.TokenRefreshBuffer,
    };
}
