using System.Net;
using Proxy.Web.Accounts;

namespace Proxy.Web.Configuration;

/// <summary>
/// Everything the proxy can be configured with, already parsed and validated
/// (see <see cref="ProxyOptionsParser"/> for the variable names and defaults).
/// </summary>
public sealed class ProxyOptions
{
    /// <summary><c>SERVER_HOST</c> (alias <c>HOST</c>): an IP address or <c>localhost</c>.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary><c>SERVER_PORT</c> (alias <c>PORT</c>); 0 picks a free port.</summary>
    public int Port { get; init; } = 8143;

    /// <summary><c>LOG_LEVEL</c>, lowered to debug by <c>DEBUG</c>/<c>DEBUG_MODE</c>.</summary>
    public ProxyLogLevel LogLevel { get; init; } = ProxyLogLevel.Info;

    /// <summary><c>DEBUG</c> or <c>DEBUG_MODE</c>.</summary>
    public bool Debug { get; init; }

    /// <summary><c>LOG_FORMAT</c>.</summary>
    public ProxyLogFormat LogFormat { get; init; } = ProxyLogFormat.Text;

    /// <summary><c>QWEN_DIR</c>: folder of <c>oauth_creds.json</c> and <c>oauth_creds.lock</c>.</summary>
    public string QwenDir { get; init; } = ProxyOptionsParser.DefaultQwenDir();

    /// <summary><c>QWEN_OAUTH_BASE_URL</c>.</summary>
    public Uri QwenOAuthBaseUrl { get; init; } = new("https://chat.qwen.ai");

    /// <summary><c>QWEN_API_BASE_URL</c>; null means "from the credential's resource_url".</summary>
    public Uri? QwenApiBaseUrl { get; init; }

    /// <summary><c>UPSTREAM_BASE_URL</c>: when set, the proxy fronts this API-key upstream instead of Qwen OAuth.</summary>
    public Uri? UpstreamBaseUrl { get; init; }

    /// <summary><c>UPSTREAM_API_KEY</c>. Secret: never logged.</summary>
    public string? UpstreamApiKey { get; init; }

    /// <summary>
    /// <c>UPSTREAM_RESPONSES_URL</c>: full URL of an upstream that serves the Responses API natively
    /// (e.g. DashScope's <c>…/api/v2/apps/protocols/compatible-mode/v1/responses</c>); when set,
    /// <c>/v1/responses</c> goes there as sent instead of being translated to chat completions.
    /// </summary>
    public Uri? UpstreamResponsesUrl { get; init; }

    /// <summary>
    /// <c>UPSTREAM_MESSAGES_URL</c>: full URL of an upstream that serves Anthropic Messages natively
    /// (e.g. DashScope's <c>…/apps/anthropic/v1/messages</c>, reached with <c>x-api-key</c>).
    /// </summary>
    public Uri? UpstreamMessagesUrl { get; init; }

    /// <summary><c>PROXY_API_KEYS</c>: keys clients must present. Secret: never logged.</summary>
    public IReadOnlyList<string> ProxyApiKeys { get; init; } = [];

    /// <summary><c>ALLOW_UNAUTHENTICATED</c>.</summary>
    public bool AllowUnauthenticated { get; init; }

    /// <summary><c>DEFAULT_MODEL</c>.</summary>
    public string DefaultModel { get; init; } = "qwen3-coder-plus";

    /// <summary><c>MODEL_ALIASES</c>: client model name to upstream model name (case-insensitive names).</summary>
    public IReadOnlyDictionary<string, string> ModelAliases { get; init; } =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>RATE_LIMIT_RPS</c>: tokens per second per client; 0 turns rate limiting off.</summary>
    public double RateLimitRps { get; init; } = 10;

    /// <summary><c>RATE_LIMIT_BURST</c>: bucket size per client; 0 turns rate limiting off.</summary>
    public int RateLimitBurst { get; init; } = 20;

    /// <summary><c>TOKEN_REFRESH_BUFFER</c>.</summary>
    public TimeSpan TokenRefreshBuffer { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>MAX_IDLE_CONNS</c>.</summary>
    public int MaxIdleConns { get; init; } = 50;

    /// <summary><c>MAX_IDLE_CONNS_PER_HOST</c>.</summary>
    public int MaxIdleConnsPerHost { get; init; } = 50;

    /// <summary><c>MAX_CONNS_PER_HOST</c>: most upstream connections per host; 0 = no limit.</summary>
    public int MaxConnsPerHost { get; init; }

    /// <summary><c>UPSTREAM_HTTP_VERSION</c>.</summary>
    public UpstreamHttpVersion UpstreamHttpVersion { get; init; } = UpstreamHttpVersion.Auto;

    /// <summary><c>IDLE_CONN_TIMEOUT_SECONDS</c>.</summary>
    public TimeSpan IdleConnTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary><c>REQUEST_TIMEOUT_SECONDS</c>: deadline of a non-streaming request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>STREAMING_TIMEOUT_SECONDS</c>: deadline of a streaming request.</summary>
    public TimeSpan StreamingTimeout { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary><c>READ_TIMEOUT_SECONDS</c>: longest upstream silence inside a stream.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary><c>STREAMING_MAX_ERRORS</c>: failures that open the circuit breaker.</summary>
    public int StreamingMaxErrors { get; init; } = 10;

    /// <summary><c>STREAMING_BUFFER_SIZE</c>: most bytes the stutter repair may hold.</summary>
    public int StreamingBufferSize { get; init; } = 4096;

    /// <summary>
    /// <c>STUTTER_MAX_HOLD</c>: longest time the stutter repair may hold an ambiguous event (never the
    /// first one) while it waits for the next to decide.
    /// </summary>
    public TimeSpan StutterMaxHold { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>STUTTER_REPAIR</c>: false passes streams through unrepaired.</summary>
    public bool StutterRepair { get; init; } = true;

    /// <summary><c>STREAM_KEEPALIVE_SECONDS</c>: silence after which a <c>: keep-alive</c> comment is sent; zero turns it off.</summary>
    public TimeSpan StreamKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>READ_TIMEOUT</c>: time allowed to receive request headers.</summary>
    public TimeSpan ServerReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>WRITE_TIMEOUT</c>: idle keep-alive time between requests (never cuts a live response).</summary>
    public TimeSpan ServerWriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>SHUTDOWN_TIMEOUT</c>: how long open streams may run on after shutdown begins.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>ENABLE_TLS</c>.</summary>
    public bool EnableTls { get; init; }

    /// <summary><c>TLS_CERT_FILE</c> (PEM).</summary>
    public string? TlsCertFile { get; init; }

    /// <summary><c>TLS_KEY_FILE</c> (PEM).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary><c>TRUSTED_PROXIES</c>: peers whose <c>X-Forwarded-For</c> is believed.</summary>
    public IReadOnlyList<IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary><c>PROXY_POSTGRES</c>: turns on cluster mode. Secret: logged masked.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary><c>CORS_ORIGINS</c>: origins allowed cross-origin; empty means none, <c>*</c> means any.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary><c>MAX_REQUEST_BODY_BYTES</c>.</summary>
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary><c>MAX_CONCURRENT_STREAMS</c>: open streams allowed at once; 0 means no limit.</summary>
    public int MaxConcurrentStreams { get; init; } = 1000;

    /// <summary><c>ACCOUNTS_FILE</c> (also <c>--accounts FILE</c>): the JSON file of upstream accounts; null for a pool of one.</summary>
    public string? AccountsFile { get; init; }

    /// <summary>
    /// <c>ACCOUNT_COOLDOWN</c>: how long an account rests after a quota answer without a reset time,
    /// and how often a longer rest lets one trial request through.
    /// </summary>
    public TimeSpan AccountCooldown { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The accounts file as read and validated; null without one.</summary>
    internal AccountPoolOptions? AccountsFromFile { get; init; }

    /// <summary>The upstream accounts: the accounts file's, else a pool of one made of the single-account variables.</summary>
    internal AccountPoolOptions Pool => AccountsFromFile ?? (_singleAccount ??= SingleAccountPool.From(this));

    private AccountPoolOptions? _singleAccount;

    /// <summary>
    /// Qwen OAuth when an account of the pool is a Qwen OAuth credential (without an accounts file:
    /// unless <c>UPSTREAM_BASE_URL</c> is set), else API key.
    /// </summary>
    public UpstreamMode UpstreamMode => AccountsFile is null
        ? UpstreamBaseUrl is null ? UpstreamMode.QwenOAuth : UpstreamMode.ApiKey
        : Pool.HasQwenOAuth ? UpstreamMode.QwenOAuth : UpstreamMode.ApiKey;

    /// <summary>True unless <c>RATE_LIMIT_RPS</c> or <c>RATE_LIMIT_BURST</c> is 0.</summary>
    public bool RateLimitEnabled => RateLimitRps > 0 && RateLimitBurst > 0;

    /// <summary>True when <c>PROXY_POSTGRES</c> is set.</summary>
    public bool ClusterMode => PostgresConnectionString is not null;

    /// <summary>True when clients must present a key.</summary>
    public bool RequiresClientKey => ProxyApiKeys.Count > 0;

    /// <summary>The effective minimum log level.</summary>
    public ProxyLogLevel EffectiveLogLevel => Debug ? ProxyLogLevel.Debug : LogLevel;

    /// <summary>True when <see cref="Host"/> is a loopback address or <c>localhost</c>.</summary>
    public bool IsLoopbackBind =>
        string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));
}
