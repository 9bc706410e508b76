using System.Net;
using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Configuration;

public sealed class ProxyOptionsParserTests
{
    [Fact]
    public void Nothing_set_gives_the_documented_defaults()
    {
        var o = Config.Parse();

        Assert.Equal("127.0.0.1", o.Host);
        Assert.Equal(8143, o.Port);
        Assert.Equal(ProxyLogLevel.Info, o.EffectiveLogLevel);
        Assert.Equal(ProxyLogFormat.Text, o.LogFormat);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".qwen"), o.QwenDir);
        Assert.Equal(new Uri("https://chat.qwen.ai"), o.QwenOAuthBaseUrl);
        Assert.Null(o.QwenApiBaseUrl);
        Assert.Null(o.UpstreamBaseUrl);
        Assert.Equal(UpstreamMode.QwenOAuth, o.UpstreamMode);
        Assert.Empty(o.ProxyApiKeys);
        Assert.False(o.AllowUnauthenticated);
        Assert.Equal("qwen3-coder-plus", o.DefaultModel);
        Assert.Equal(10, o.RateLimitRps);
        Assert.Equal(20, o.RateLimitBurst);
        Assert.Equal(TimeSpan.FromMinutes(5), o.TokenRefreshBuffer);
        Assert.Equal(50, o.MaxIdleConns);
        Assert.Equal(50, o.MaxIdleConnsPerHost);
        Assert.Equal(TimeSpan.FromSeconds(180), o.IdleConnTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), o.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(900), o.StreamingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), o.StreamIdleTimeout);
        Assert.Equal(10, o.StreamingMaxErrors);
        Assert.Equal(4096, o.StreamingBufferSize);
        Assert.Equal(TimeSpan.FromSeconds(2), o.StutterMaxHold);
        Assert.Equal(TimeSpan.FromSeconds(30), o.ServerReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), o.ServerWriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), o.ShutdownTimeout);
        Assert.False(o.EnableTls);
        Assert.Empty(o.TrustedProxies);
        Assert.Null(o.PostgresConnectionString);
        Assert.Empty(o.CorsOrigins);
        Assert.Empty(o.ModelAliases);
        Assert.Equal(32L * 1024 * 1024, o.MaxRequestBodyBytes);
        Assert.Equal(1000, o.MaxConcurrentStreams);
        Assert.Equal(0, o.MaxConnsPerHost);
        Assert.Equal(UpstreamHttpVersion.Auto, o.UpstreamHttpVersion);
    }

    [Fact]
    public void Every_variable_is_read_under_its_name()
    {
        var o = Config.Parse(
            ("SERVER_HOST", "0.0.0.0"), ("SERVER_PORT", "9000"), ("LOG_LEVEL", "warn"), ("LOG_FORMAT", "json"),
            ("QWEN_DIR", "/tmp/qwen-x"), ("QWEN_OAUTH_BASE_URL", "http://127.0.0.1:18080"), ("QWEN_API_BASE_URL", "http://127.0.0.1:18080/v1"),
            ("UPSTREAM_BASE_URL", "https://dashscope.example/compatible-mode/v1"), ("UPSTREAM_API_KEY", "sk-upstream-1234"),
            ("PROXY_API_KEYS", " k1-aaaaaaaa , k2-bbbbbbbb ,"), ("ALLOW_UNAUTHENTICATED", "true"), ("DEFAULT_MODEL", "qwen3-coder-flash"),
            ("RATE_LIMIT_RPS", "2.5"), ("RATE_LIMIT_BURST", "7"), ("TOKEN_REFRESH_BUFFER", "30s"),
            ("MAX_IDLE_CONNS", "11"), ("MAX_IDLE_CONNS_PER_HOST", "12"), ("IDLE_CONN_TIMEOUT_SECONDS", "13"),
            ("MAX_CONNS_PER_HOST", "64"), ("UPSTREAM_HTTP_VERSION", "2"),
            ("REQUEST_TIMEOUT_SECONDS", "14"), ("STREAMING_TIMEOUT_SECONDS", "15"), ("READ_TIMEOUT_SECONDS", "16"),
            ("STREAMING_MAX_ERRORS", "17"), ("STREAMING_BUFFER_SIZE", "18"), ("STUTTER_MAX_HOLD", "250ms"), ("READ_TIMEOUT", "19s"), ("WRITE_TIMEOUT", "1m"),
            ("SHUTDOWN_TIMEOUT", "2m30s"), ("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7"), ("PROXY_POSTGRES", "Host=db;Password=pw"),
            ("MODEL_ALIASES", "gpt-4o=qwen3-coder-plus, gpt-4o-mini=qwen3-coder-flash"), ("CORS_ORIGINS", "https://app.example.com/"),
            ("MAX_REQUEST_BODY_BYTES", "10MB"), ("MAX_CONCURRENT_STREAMS", "0"));

        Assert.Equal("0.0.0.0", o.Host);
        Assert.Equal(9000, o.Port);
        Assert.Equal(ProxyLogLevel.Warn, o.LogLevel);
        Assert.Equal(ProxyLogFormat.Json, o.LogFormat);
        Assert.Equal("/tmp/qwen-x", o.QwenDir);
        Assert.Equal(new Uri("http://127.0.0.1:18080"), o.QwenOAuthBaseUrl);
        Assert.Equal(new Uri("http://127.0.0.1:18080/v1"), o.QwenApiBaseUrl);
        Assert.Equal(UpstreamMode.ApiKey, o.UpstreamMode);
        Assert.Equal("sk-upstream-1234", o.UpstreamApiKey);
        Assert.Equal(["k1-aaaaaaaa", "k2-bbbbbbbb"], o.ProxyApiKeys);
        Assert.True(o.AllowUnauthenticated);
        Assert.Equal("qwen3-coder-flash", o.DefaultModel);
        Assert.Equal(2.5, o.RateLimitRps);
        Assert.Equal(7, o.RateLimitBurst);
        Assert.Equal(TimeSpan.FromSeconds(30), o.TokenRefreshBuffer);
        Assert.Equal(11, o.MaxIdleConns);
        Assert.Equal(12, o.MaxIdleConnsPerHost);
        Assert.Equal(TimeSpan.FromSeconds(13), o.IdleConnTimeout);
        Assert.Equal(64, o.MaxConnsPerHost);
        Assert.Equal(UpstreamHttpVersion.Http2, o.UpstreamHttpVersion);
        Assert.Equal(TimeSpan.FromSeconds(14), o.RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), o.StreamingTimeout);
        Assert.Equal(TimeSpan.FromSeconds(16), o.StreamIdleTimeout);
        Assert.Equal(17, o.StreamingMaxErrors);
        Assert.Equal(18, o.StreamingBufferSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.StutterMaxHold);
        Assert.Equal(TimeSpan.FromSeconds(19), o.ServerReadTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), o.ServerWriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(150), o.ShutdownTimeout);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.1.7/32")], o.TrustedProxies);
        Assert.Equal("Host=db;Password=pw", o.PostgresConnectionString);
        Assert.True(o.ClusterMode);
        Assert.Equal("qwen3-coder-plus", o.ModelAliases["GPT-4O"]);
        Assert.Equal("qwen3-coder-flash", o.ModelAliases["gpt-4o-mini"]);
        Assert.Equal(["https://app.example.com"], o.CorsOrigins);
        Assert.Equal(10L * 1024 * 1024, o.MaxRequestBodyBytes);
        Assert.Equal(0, o.MaxConcurrentStreams);
    }

    [Fact]
    public void Old_aliases_HOST_PORT_and_DEBUG_MODE_are_honoured()
    {
        var o = Config.Parse(("HOST", "::1"), ("PORT", "8200"), ("DEBUG_MODE", "1"));

        Assert.Equal("::1", o.Host);
        Assert.Equal(8200, o.Port);
        Assert.Equal(ProxyLogLevel.Debug, o.EffectiveLogLevel);
    }

    [Fact]
    public void DEBUG_true_lowers_the_level_to_debug()
    {
        Assert.Equal(ProxyLogLevel.Debug, Config.Parse(("LOG_LEVEL", "error"), ("DEBUG", "true")).EffectiveLogLevel);
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("30s", 30)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("90", 90)]
    [InlineData("1.5s", 1.5)]
    [InlineData("250ms", 0.25)]
    public void TOKEN_REFRESH_BUFFER_accepts_go_durations_and_seconds(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Config.Parse(("TOKEN_REFRESH_BUFFER", text)).TokenRefreshBuffer);
    }

    [Theory]
    [InlineData("SERVER_PORT", "abc", "Invalid configuration: SERVER_PORT must be a whole number from 0 to 65535, got 'abc'.")]
    [InlineData("PORT", "70000", "Invalid configuration: PORT must be a whole number from 0 to 65535, got '70000'.")]
    [InlineData("SERVER_HOST", "example.com", "Invalid configuration: SERVER_HOST must be an IP address or 'localhost', got 'example.com'.")]
    [InlineData("LOG_LEVEL", "loud", "Invalid configuration: LOG_LEVEL must be one of debug, info, warn, error; got 'loud'.")]
    [InlineData("LOG_FORMAT", "xml", "Invalid configuration: LOG_FORMAT must be 'text' or 'json', got 'xml'.")]
    [InlineData("UPSTREAM_HTTP_VERSION", "3", "Invalid configuration: UPSTREAM_HTTP_VERSION must be 'auto', '1.1' or '2', got '3'.")]
    [InlineData("MAX_CONNS_PER_HOST", "-1", "Invalid configuration: MAX_CONNS_PER_HOST must be a whole number from 0 to 1000000, got '-1'.")]
    [InlineData("DEBUG", "maybe", "Invalid configuration: DEBUG must be true or false, got 'maybe'.")]
    [InlineData("ALLOW_UNAUTHENTICATED", "yes please", "Invalid configuration: ALLOW_UNAUTHENTICATED must be true or false, got 'yes please'.")]
    [InlineData("QWEN_OAUTH_BASE_URL", "chat.qwen.ai", "Invalid configuration: QWEN_OAUTH_BASE_URL must be an absolute http:// or https:// URL, got 'chat.qwen.ai'.")]
    [InlineData("RATE_LIMIT_RPS", "-1", "Invalid configuration: RATE_LIMIT_RPS must be a number from 0 to 1000000, got '-1'.")]
    [InlineData("RATE_LIMIT_BURST", "1.5", "Invalid configuration: RATE_LIMIT_BURST must be a whole number from 0 to 1000000, got '1.5'.")]
    [InlineData("TOKEN_REFRESH_BUFFER", "5 minutes", "Invalid configuration: TOKEN_REFRESH_BUFFER must be a duration such as 30s, 5m, 1h or a number of seconds, got '5 minutes'.")]
    [InlineData("READ_TIMEOUT", "0", "Invalid configuration: READ_TIMEOUT must be a duration of at least 1s such as 30s, 5m, 1h or a number of seconds, got '0'.")]
    [InlineData("STREAMING_TIMEOUT_SECONDS", "soon", "Invalid configuration: STREAMING_TIMEOUT_SECONDS must be a duration of at least 1s such as 30s, 5m, 1h or a number of seconds, got 'soon'.")]
    [InlineData("MAX_IDLE_CONNS", "0", "Invalid configuration: MAX_IDLE_CONNS must be a whole number from 1 to 100000, got '0'.")]
    [InlineData("STREAMING_BUFFER_SIZE", "big", "Invalid configuration: STREAMING_BUFFER_SIZE must be a whole number from 1 to 67108864, got 'big'.")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/8,proxy.local", "Invalid configuration: TRUSTED_PROXIES must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got 'proxy.local'.")]
    [InlineData("MODEL_ALIASES", "gpt-4o", "Invalid configuration: MODEL_ALIASES must be a comma-separated list of alias=model pairs, got 'gpt-4o'.")]
    [InlineData("CORS_ORIGINS", "app.example.com", "Invalid configuration: CORS_ORIGINS must list origins like https://app.example.com (or *), got 'app.example.com'.")]
    [InlineData("MAX_REQUEST_BODY_BYTES", "-5", "Invalid configuration: MAX_REQUEST_BODY_BYTES must be a positive number of bytes (e.g. 10485760 or 10MB), got '-5'.")]
    [InlineData("MAX_CONCURRENT_STREAMS", "many", "Invalid configuration: MAX_CONCURRENT_STREAMS must be a whole number from 0 to 1000000, got 'many'.")]
    [InlineData("STUTTER_REPAIR", "maybe", "Invalid configuration: STUTTER_REPAIR must be true or false, got 'maybe'.")]
    [InlineData("STREAM_KEEPALIVE_SECONDS", "often", "Invalid configuration: STREAM_KEEPALIVE_SECONDS must be a duration such as 30s, 5m, 1h or a number of seconds, got 'often'.")]
    [InlineData("STREAM_KEEPALIVE_SECONDS", "-5", "Invalid configuration: STREAM_KEEPALIVE_SECONDS must be a duration such as 30s, 5m, 1h or a number of seconds, got '-5'.")]
    public void A_bad_value_is_one_line_naming_the_variable(string variable, string value, string expected)
    {
        var error = Config.Error((variable, value));

        Assert.Equal(expected, error.Message);
        Assert.Equal(variable, error.Variable);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_upstream_key_without_an_upstream_url_is_refused_without_echoing_the_key()
    {
        var error = Config.Error(("UPSTREAM_API_KEY", "sk-very-secret-9876"));

        Assert.Equal("Invalid configuration: UPSTREAM_BASE_URL must be set when UPSTREAM_API_KEY is set.", error.Message);
        Assert.DoesNotContain("9876", error.Message);
    }

    [Fact]
    public void An_upstream_url_must_be_an_http_url()
    {
        Assert.Equal(
            "Invalid configuration: UPSTREAM_BASE_URL must be an absolute http:// or https:// URL, got 'ftp://x'.",
            Config.Error(("UPSTREAM_BASE_URL", "ftp://x"), ("UPSTREAM_API_KEY", "sk-abcdefgh")).Message);
    }

    [Fact]
    public void An_upstream_url_without_a_key_is_refused()
    {
        var error = Config.Error(("UPSTREAM_BASE_URL", "https://dashscope.example/compatible-mode/v1"));

        Assert.Equal("Invalid configuration: UPSTREAM_API_KEY must be set when UPSTREAM_BASE_URL is set.", error.Message);
    }

    [Fact]
    public void A_non_loopback_bind_without_client_keys_is_refused_and_says_why()
    {
        var error = Config.Error(("SERVER_HOST", "0.0.0.0"));

        Assert.Equal("PROXY_API_KEYS", error.Variable);
        Assert.Equal(
            "Refusing to start: SERVER_HOST=0.0.0.0 is reachable from other machines and PROXY_API_KEYS is empty, so anyone could use the upstream account. Set PROXY_API_KEYS, bind to 127.0.0.1, or set ALLOW_UNAUTHENTICATED=true.",
            error.Message);
    }

    [Theory]
    [InlineData("0.0.0.0", "PROXY_API_KEYS", "k-123456789")]
    [InlineData("192.168.1.5", "ALLOW_UNAUTHENTICATED", "true")]
    [InlineData("localhost", "ALLOW_UNAUTHENTICATED", "false")]
    [InlineData("::1", "ALLOW_UNAUTHENTICATED", "false")]
    public void A_bind_is_accepted_with_keys_opt_in_or_loopback(string host, string variable, string value)
    {
        Assert.Equal(host, Config.Parse(("SERVER_HOST", host), (variable, value)).Host);
    }

    [Fact]
    public void TLS_needs_both_files_to_exist()
    {
        Assert.Equal("Invalid configuration: TLS_CERT_FILE must be set when ENABLE_TLS is true.", Config.Error(("ENABLE_TLS", "true")).Message);
        Assert.Equal(
            "Invalid configuration: TLS_KEY_FILE points to '/nonexistent/key.pem', which does not exist.",
            Config.Error(("ENABLE_TLS", "true"), ("TLS_CERT_FILE", typeof(ProxyOptionsParserTests).Assembly.Location), ("TLS_KEY_FILE", "/nonexistent/key.pem")).Message);
    }

    [Fact]
    public void Empty_values_count_as_unset()
    {
        Assert.Equal(8143, Config.Parse(("SERVER_PORT", "  ")).Port);
    }
}
