using System.Globalization;
using System.Text;
using Proxy.Web.Logging;

namespace Proxy.Web.Configuration;

/// <summary>Renders the effective configuration as one log-safe line (every secret masked).</summary>
internal static class ProxyOptionsDescriber
{
    public static string Describe(ProxyOptions o)
    {
        var s = new StringBuilder(1024);
        Add(s, "SERVER_HOST", o.Host);
        Add(s, "SERVER_PORT", o.Port.ToString(CultureInfo.InvariantCulture));
        Add(s, "LOG_LEVEL", o.EffectiveLogLevel.ToString().ToLowerInvariant());
        Add(s, "LOG_FORMAT", o.LogFormat.ToString().ToLowerInvariant());
        Add(s, "UPSTREAM_MODE", o.UpstreamMode == UpstreamMode.ApiKey ? "api-key" : "qwen-oauth");
        Add(s, "QWEN_DIR", o.QwenDir);
        Add(s, "QWEN_OAUTH_BASE_URL", Secrets.MaskUrl(o.QwenOAuthBaseUrl));
        Add(s, "QWEN_API_BASE_URL", o.QwenApiBaseUrl is null ? "(from credential)" : Secrets.MaskUrl(o.QwenApiBaseUrl));
        Add(s, "UPSTREAM_BASE_URL", Secrets.MaskUrl(o.UpstreamBaseUrl));
        Add(s, "UPSTREAM_API_KEY", Secrets.Mask(o.UpstreamApiKey));
        Add(s, "UPSTREAM_RESPONSES_URL", o.UpstreamResponsesUrl is null ? "(translated)" : Secrets.MaskUrl(o.UpstreamResponsesUrl));
        Add(s, "UPSTREAM_MESSAGES_URL", o.UpstreamMessagesUrl is null ? "(translated)" : Secrets.MaskUrl(o.UpstreamMessagesUrl));
        Add(s, "ACCOUNTS_FILE", o.AccountsFile ?? "(none)");
        Add(s, "ACCOUNT_COOLDOWN", DurationParser.Format(o.AccountCooldown));
        Add(s, "PROXY_API_KEYS", o.ProxyApiKeys.Count == 0 ? "(none)" : "[" + string.Join(", ", o.ProxyApiKeys.Select(Secrets.Mask)) + "]");
        Add(s, "ALLOW_UNAUTHENTICATED", Bool(o.AllowUnauthenticated));
        Add(s, "DEFAULT_MODEL", o.DefaultModel);
        Add(s, "MODEL_ALIASES", o.ModelAliases.Count == 0 ? "(none)" : string.Join(",", o.ModelAliases.Select(a => a.Key + "=" + a.Value)));
        Add(s, "RATE_LIMIT_RPS", o.RateLimitRps.ToString(CultureInfo.InvariantCulture));
        Add(s, "RATE_LIMIT_BURST", o.RateLimitBurst.ToString(CultureInfo.InvariantCulture));
        Add(s, "TOKEN_REFRESH_BUFFER", DurationParser.Format(o.TokenRefreshBuffer));
        Add(s, "MAX_IDLE_CONNS", o.MaxIdleConns.ToString(CultureInfo.InvariantCulture));
        Add(s, "MAX_IDLE_CONNS_PER_HOST", o.MaxIdleConnsPerHost.ToString(CultureInfo.InvariantCulture));
        Add(s, "MAX_CONNS_PER_HOST", o.MaxConnsPerHost == 0 ? "0 (no limit)" : o.MaxConnsPerHost.ToString(CultureInfo.InvariantCulture));
        Add(s, "UPSTREAM_HTTP_VERSION", o.UpstreamHttpVersion switch
        {
            UpstreamHttpVersion.Http11 => "1.1",
            UpstreamHttpVersion.Http2 => "2",
            _ => "auto",
        });
        Add(s, "IDLE_CONN_TIMEOUT_SECONDS", Seconds(o.IdleConnTimeout));
        Add(s, "REQUEST_TIMEOUT_SECONDS", Seconds(o.RequestTimeout));
        Add(s, "STREAMING_TIMEOUT_SECONDS", Seconds(o.StreamingTimeout));
        Add(s, "READ_TIMEOUT_SECONDS", Seconds(o.StreamIdleTimeout));
        Add(s, "STREAMING_MAX_ERRORS", o.StreamingMaxErrors.ToString(CultureInfo.InvariantCulture));
        Add(s, "STREAMING_BUFFER_SIZE", o.StreamingBufferSize.ToString(CultureInfo.InvariantCulture));
        Add(s, "STUTTER_MAX_HOLD", DurationParser.Format(o.StutterMaxHold));
        Add(s, "STUTTER_REPAIR", o.StutterRepair ? "true" : "false");
        Add(s, "STREAM_KEEPALIVE_SECONDS", DurationParser.Format(o.StreamKeepAlive));
        Add(s, "READ_TIMEOUT", DurationParser.Format(o.ServerReadTimeout));
        Add(s, "WRITE_TIMEOUT", DurationParser.Format(o.ServerWriteTimeout));
        Add(s, "SHUTDOWN_TIMEOUT", DurationParser.Format(o.ShutdownTimeout));
        Add(s, "ENABLE_TLS", Bool(o.EnableTls));
        if (o.EnableTls)
        {
            Add(s, "TLS_CERT_FILE", o.TlsCertFile ?? "(none)");
            Add(s, "TLS_KEY_FILE", o.TlsKeyFile ?? "(none)");
        }

        Add(s, "TRUSTED_PROXIES", o.TrustedProxies.Count == 0 ? "(none)" : string.Join(",", o.TrustedProxies));
        Add(s, "PROXY_POSTGRES", Secrets.MaskConnectionString(o.PostgresConnectionString));
        Add(s, "CORS_ORIGINS", o.CorsOrigins.Count == 0 ? "(none)" : string.Join(",", o.CorsOrigins));
        Add(s, "MAX_REQUEST_BODY_BYTES", o.MaxRequestBodyBytes.ToString(CultureInfo.InvariantCulture));
        Add(s, "MAX_CONCURRENT_STREAMS", o.MaxConcurrentStreams == 0 ? "unlimited" : o.MaxConcurrentStreams.ToString(CultureInfo.InvariantCulture));
        return s.ToString();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Add(StringBuilder s, string name, string value)
    {
        if (s.Length > 0)
        {
            s.Append(' ');
        }

        s.Append(name).Append('=').Append(value);
    }
}
