namespace Proxy.Actors.Auth;

/// <summary>Where the Qwen OAuth credential lives and how it is kept fresh.</summary>
public sealed class QwenAuthOptions
{
    /// <summary>The public OAuth client id of the Qwen Code CLI.</summary>
    public const string ClientId = "f0304373b74a44d2b584a3fb70ca9e56";

    /// <summary>The scopes the device login asks for.</summary>
    public const string Scope = "openid profile email model.completion";

    public const string CredentialFileName = "oauth_creds.json";

    public const string LockFileName = "oauth_creds.lock";

    public static readonly Uri DefaultOAuthBaseUrl = new("https://chat.qwen.ai");

    /// <summary>The credential folder (<c>QWEN_DIR</c>), shared with the Qwen Code CLI.</summary>
    public string QwenDir { get; init; } = DefaultQwenDir();

    /// <summary>The device-code and token endpoints live under it (<c>QWEN_OAUTH_BASE_URL</c>).</summary>
    public Uri OAuthBaseUrl { get; init; } = DefaultOAuthBaseUrl;

    /// <summary>Upstream API base that wins over the credential's <c>resource_url</c> (<c>QWEN_API_BASE_URL</c>).</summary>
    public Uri? ApiBaseOverride { get; init; }

    /// <summary>Refresh this long before the access token expires (<c>TOKEN_REFRESH_BUFFER</c>).</summary>
    public TimeSpan RefreshBuffer { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the credential file is checked for changes made by another process.</summary>
    public TimeSpan CredentialCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A name for the account in logs and health output.</summary>
    public string AccountName { get; init; } = "qwen";

    public string CredentialFilePath => Path.Combine(QwenDir, CredentialFileName);

    public string LockFilePath => Path.Combine(QwenDir, LockFileName);

    public static string DefaultQwenDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".qwen");
}
