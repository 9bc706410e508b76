using System.Runtime.InteropServices;
using Proxy.Actors.Auth;

namespace Proxy.Actors.Upstream;

/// <summary>The request headers Qwen's API expects from its own CLI.</summary>
internal static class QwenHeaders
{
    public const string DashScopeUserAgent = "X-DashScope-UserAgent";
    public const string DashScopeAuthType = "X-DashScope-AuthType";
    public const string DashScopeCacheControl = "X-DashScope-CacheControl";
    public const string OAuthAuthType = "qwen-oauth";
    public const string EventStream = "text/event-stream";
    public const string Json = "application/json";

    /// <summary>Headers the proxy sets itself; a caller's extra headers cannot replace them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "User-Agent", "Accept", "Content-Type", "Content-Length", "Host", "Transfer-Encoding", "Connection",
        DashScopeUserAgent, DashScopeAuthType, DashScopeCacheControl,
    };

    /// <summary>The platform as Node names it (<c>process.platform</c>).</summary>
    public static string Platform { get; } =
        OperatingSystem.IsWindows() ? "win32"
        : OperatingSystem.IsMacOS() ? "darwin"
        : OperatingSystem.IsFreeBSD() ? "freebsd"
        : "linux";

    /// <summary>The CPU architecture as Node names it (<c>process.arch</c>).</summary>
    public static string Architecture { get; } = RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "x64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "ia32",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// OAuth access tokens expire; API keys are issued with <see cref="DateTimeOffset.MaxValue"/> as expiry.
    /// Only OAuth tokens carry <c>X-DashScope-AuthType: qwen-oauth</c>.
    /// </summary>
    public static bool IsOAuth(AccessToken token) => token.ExpiresAt != DateTimeOffset.MaxValue;

    /// <summary>Qwen's and Alibaba Cloud's own hosts (<c>*.qwen.ai</c>, <c>*.aliyuncs.com</c>): the only ones told the client is Qwen Code.</summary>
    public static bool IsQwenHost(Uri url) =>
        url.Host.EndsWith(".aliyuncs.com", StringComparison.OrdinalIgnoreCase)
        || url.Host.EndsWith(".qwen.ai", StringComparison.OrdinalIgnoreCase)
        || string.Equals(url.Host, "qwen.ai", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a request with <paramref name="token"/> carries Qwen Code's identity when its account does not say.</summary>
    public static bool ExpectedBy(AccessToken token) => IsOAuth(token) || IsQwenHost(token.ApiBase);
}
