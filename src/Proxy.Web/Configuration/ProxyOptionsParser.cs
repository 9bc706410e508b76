using System.Globalization;
using System.Net;
using Proxy.Web.Accounts;

namespace Proxy.Web.Configuration;

/// <summary>
/// Binds configuration (appsettings.json &lt; --config file &lt; environment &lt; command line) to
/// <see cref="ProxyOptions"/> under the documented names and aliases, in the documented formats
/// (durations like 5m, sizes like 32MiB, CIDR lists) that the configuration binder does not read.
/// The first bad value throws a <see cref="ProxyConfigurationException"/> whose message is one line
/// naming the variable; rules across variables are <see cref="ProxyOptionsValidator"/>'s.
/// </summary>
internal static class ProxyOptionsParser
{
    public static string DefaultQwenDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".qwen");

    /// <summary>Binds and validates (<see cref="ProxyOptionsValidator"/>): the options a host may start with.</summary>
    public static ProxyOptions Parse(IConfigurationRoot configuration)
    {
        var options = Bind(configuration);
        if (ProxyOptionsValidator.Check(options) is { } error)
        {
            throw error;
        }

        return options;
    }

    /// <summary>Converts every variable to its typed value; the first bad value throws, naming the variable.</summary>
    public static ProxyOptions Bind(IConfigurationRoot configuration)
    {
        var c = new ConfigLookup(configuration);
        var d = new ProxyOptions();
        var debug = Bool(c, "DEBUG", false) || Bool(c, "DEBUG_MODE", false);
        var qwenDir = Directory(c, "QWEN_DIR") ?? d.QwenDir;
        var accountsFile = c.Find(AccountsFileLoader.Variable)?.Value;
        var pool = accountsFile is null ? null : AccountsFileLoader.Load(accountsFile, name => c.Find(name)?.Value, qwenDir);
        var oauth = pool?.QwenOAuthAccount;

        var options = new ProxyOptions
        {
            Host = BindHost(c) ?? d.Host,
            Port = Int(c, "SERVER_PORT", 0, 65535, d.Port, "PORT"),
            LogLevel = LogLevel(c) ?? d.LogLevel,
            Debug = debug,
            LogFormat = LogFormat(c) ?? d.LogFormat,
            QwenDir = oauth?.QwenDir ?? qwenDir,
            QwenOAuthBaseUrl = Url(c, "QWEN_OAUTH_BASE_URL") ?? d.QwenOAuthBaseUrl,
            QwenApiBaseUrl = oauth?.BaseUrl ?? Url(c, "QWEN_API_BASE_URL"),
            UpstreamBaseUrl = Url(c, "UPSTREAM_BASE_URL"),
            UpstreamApiKey = c.Find("UPSTREAM_API_KEY")?.Value,
            UpstreamResponsesUrl = Url(c, "UPSTREAM_RESPONSES_URL"),
            UpstreamMessagesUrl = Url(c, "UPSTREAM_MESSAGES_URL"),
            ProxyApiKeys = List(c, "PROXY_API_KEYS"),
            AllowUnauthenticated = Bool(c, "ALLOW_UNAUTHENTICATED", d.AllowUnauthenticated),
            DefaultModel = c.Find("DEFAULT_MODEL")?.Value ?? d.DefaultModel,
            ModelAliases = Aliases(c, "MODEL_ALIASES"),
            RateLimitRps = Number(c, "RATE_LIMIT_RPS", 0, 1_000_000, d.RateLimitRps),
            RateLimitBurst = Int(c, "RATE_LIMIT_BURST", 0, 1_000_000, d.RateLimitBurst),
            TokenRefreshBuffer = Duration(c, "TOKEN_REFRESH_BUFFER", TimeSpan.Zero, d.TokenRefreshBuffer),
            MaxIdleConns = Int(c, "MAX_IDLE_CONNS", 1, 100_000, d.MaxIdleConns),
            MaxIdleConnsPerHost = Int(c, "MAX_IDLE_CONNS_PER_HOST", 1, 100_000, d.MaxIdleConnsPerHost),
            MaxConnsPerHost = Int(c, "MAX_CONNS_PER_HOST", 0, 1_000_000, d.MaxConnsPerHost),
            UpstreamHttpVersion = HttpVersion(c) ?? d.UpstreamHttpVersion,
            IdleConnTimeout = Duration(c, "IDLE_CONN_TIMEOUT_SECONDS", TimeSpan.FromSeconds(1), d.IdleConnTimeout),
            RequestTimeout = Duration(c, "REQUEST_TIMEOUT_SECONDS", TimeSpan.FromSeconds(1), d.RequestTimeout),
            StreamingTimeout = Duration(c, "STREAMING_TIMEOUT_SECONDS", TimeSpan.FromSeconds(1), d.StreamingTimeout),
            StreamIdleTimeout = Duration(c, "READ_TIMEOUT_SECONDS", TimeSpan.FromSeconds(1), d.StreamIdleTimeout),
            StreamingMaxErrors = Int(c, "STREAMING_MAX_ERRORS", 1, 1_000_000, d.StreamingMaxErrors),
            StreamingBufferSize = Int(c, "STREAMING_BUFFER_SIZE", 1, 64 * 1024 * 1024, d.StreamingBufferSize),
            StutterMaxHold = Duration(c, "STUTTER_MAX_HOLD", TimeSpan.Zero, d.StutterMaxHold),
            StutterRepair = Bool(c, "STUTTER_REPAIR", d.StutterRepair),
            StreamKeepAlive = Duration(c, "STREAM_KEEPALIVE_SECONDS", TimeSpan.Zero, d.StreamKeepAlive),
            ServerReadTimeout = Duration(c, "READ_TIMEOUT", TimeSpan.FromSeconds(1), d.ServerReadTimeout),
            ServerWriteTimeout = Duration(c, "WRITE_TIMEOUT", TimeSpan.FromSeconds(1), d.ServerWriteTimeout),
            ShutdownTimeout = Duration(c, "SHUTDOWN_TIMEOUT", TimeSpan.Zero, d.ShutdownTimeout),
            EnableTls = Bool(c, "ENABLE_TLS", d.EnableTls),
            TlsCertFile = c.Find("TLS_CERT_FILE")?.Value,
            TlsKeyFile = c.Find("TLS_KEY_FILE")?.Value,
            TrustedProxies = Networks(c, "TRUSTED_PROXIES"),
            PostgresConnectionString = c.Find("PROXY_POSTGRES")?.Value,
            CorsOrigins = Origins(c, "CORS_ORIGINS"),
            MaxRequestBodyBytes = Size(c, "MAX_REQUEST_BODY_BYTES", d.MaxRequestBodyBytes),
            MaxConcurrentStreams = Int(c, "MAX_CONCURRENT_STREAMS", 0, 1_000_000, d.MaxConcurrentStreams),
            AccountsFile = accountsFile,
            AccountCooldown = Duration(c, "ACCOUNT_COOLDOWN", TimeSpan.FromSeconds(1), d.AccountCooldown),
            AccountsFromFile = pool,
        };

        return options;
    }

    private static string? BindHost(ConfigLookup c)
    {
        if (c.Find("SERVER_HOST", "HOST") is not var (value, name))
        {
            return null;
        }

        var host = value.StartsWith('[') && value.EndsWith(']') ? value[1..^1] : value;
        if (host == "*")
        {
            return "0.0.0.0";
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out _))
        {
            return host;
        }

        throw ProxyConfigurationException.Invalid(name, $"must be an IP address or 'localhost', got '{value}'.");
    }

    private static ProxyLogLevel? LogLevel(ConfigLookup c)
    {
        if (c.Find("LOG_LEVEL") is not var (value, name))
        {
            return null;
        }

        return value.ToUpperInvariant() switch
        {
            "DEBUG" or "TRACE" => ProxyLogLevel.Debug,
            "INFO" or "INFORMATION" => ProxyLogLevel.Info,
            "WARN" or "WARNING" => ProxyLogLevel.Warn,
            "ERROR" or "FATAL" => ProxyLogLevel.Error,
            _ => throw ProxyConfigurationException.Invalid(name, $"must be one of debug, info, warn, error; got '{value}'."),
        };
    }

    private static ProxyLogFormat? LogFormat(ConfigLookup c)
    {
        if (c.Find("LOG_FORMAT") is not var (value, name))
        {
            return null;
        }

        return value.ToUpperInvariant() switch
        {
            "TEXT" => ProxyLogFormat.Text,
            "JSON" => ProxyLogFormat.Json,
            _ => throw ProxyConfigurationException.Invalid(name, $"must be 'text' or 'json', got '{value}'."),
        };
    }

    private static UpstreamHttpVersion? HttpVersion(ConfigLookup c)
    {
        if (c.Find("UPSTREAM_HTTP_VERSION") is not var (value, name))
        {
            return null;
        }

        return value.ToUpperInvariant() switch
        {
            "AUTO" => UpstreamHttpVersion.Auto,
            "1.1" or "HTTP/1.1" => UpstreamHttpVersion.Http11,
            "2" or "2.0" or "HTTP/2" => UpstreamHttpVersion.Http2,
            _ => throw ProxyConfigurationException.Invalid(name, $"must be 'auto', '1.1' or '2', got '{value}'."),
        };
    }

    private static string? Directory(ConfigLookup c, string variable)
    {
        if (c.Find(variable) is not var (value, _))
        {
            return null;
        }

        if (value == "~" || value.StartsWith("~/", StringComparison.Ordinal))
        {
            value = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), value.Length > 2 ? value[2..] : string.Empty);
        }

        return Path.GetFullPath(value);
    }

    private static bool Bool(ConfigLookup c, string variable, bool fallback)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return fallback;
        }

        return value.ToUpperInvariant() switch
        {
            "TRUE" or "1" or "YES" or "ON" => true,
            "FALSE" or "0" or "NO" or "OFF" => false,
            _ => throw ProxyConfigurationException.Invalid(name, $"must be true or false, got '{value}'."),
        };
    }

    private static int Int(ConfigLookup c, string variable, int min, int max, int fallback, params string[] aliases)
    {
        if (c.Find(variable, aliases) is not var (value, name))
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw ProxyConfigurationException.Invalid(name, $"must be a whole number from {min} to {max}, got '{value}'.");
        }

        return number;
    }

    private static double Number(ConfigLookup c, string variable, double min, double max, double fallback)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return fallback;
        }

        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw ProxyConfigurationException.Invalid(name, $"must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{value}'.");
        }

        return number;
    }

    private static TimeSpan Duration(ConfigLookup c, string variable, TimeSpan min, TimeSpan fallback)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return fallback;
        }

        if (!DurationParser.TryParse(value, out var duration) || duration < min)
        {
            var minimum = min > TimeSpan.Zero ? $" of at least {DurationParser.Format(min)}" : string.Empty;
            throw ProxyConfigurationException.Invalid(name, $"must be a duration{minimum} such as 30s, 5m, 1h or a number of seconds, got '{value}'.");
        }

        return duration;
    }

    private static long Size(ConfigLookup c, string variable, long fallback)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return fallback;
        }

        var text = value.ToUpperInvariant().Replace(" ", string.Empty, StringComparison.Ordinal);
        long multiplier = 1;
        foreach (var (suffix, factor) in SizeSuffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                multiplier = factor;
                text = text[..^suffix.Length];
                break;
            }
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > long.MaxValue / multiplier)
        {
            throw ProxyConfigurationException.Invalid(name, $"must be a positive number of bytes (e.g. 10485760 or 10MB), got '{value}'.");
        }

        return number * multiplier;
    }

    private static readonly (string Suffix, long Factor)[] SizeSuffixes =
    [
        ("KIB", 1024), ("MIB", 1024 * 1024), ("GIB", 1024 * 1024 * 1024),
        ("KB", 1024), ("MB", 1024 * 1024), ("GB", 1024 * 1024 * 1024),
        ("K", 1024), ("M", 1024 * 1024), ("G", 1024 * 1024 * 1024),
        ("B", 1),
    ];

    private static Uri? Url(ConfigLookup c, string variable)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw ProxyConfigurationException.Invalid(name, $"must be an absolute http:// or https:// URL, got '{value}'.");
        }

        return uri;
    }

    private static string[] List(ConfigLookup c, string variable) =>
        c.Find(variable) is var (value, _)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    private static string[] Origins(ConfigLookup c, string variable)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return [];
        }

        var origins = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var origin in origins)
        {
            if (origin != "*"
                && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                    || uri.AbsolutePath != "/"))
            {
                throw ProxyConfigurationException.Invalid(name, $"must list origins like https://app.example.com (or *), got '{origin}'.");
            }
        }

        return origins.Select(o => o.TrimEnd('/')).ToArray();
    }

    private static IPNetwork[] Networks(ConfigLookup c, string variable)
    {
        if (c.Find(variable) is not var (value, name))
        {
            return [];
        }

        var networks = new List<IPNetwork>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/', StringComparison.Ordinal))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else
            {
                throw ProxyConfigurationException.Invalid(name, $"must list IP addresses or CIDR ranges (e.g. 10.0.0.0/8), got '{entry}'.");
            }
        }

        return networks.ToArray();
    }

    private static Dictionary<string, string> Aliases(ConfigLookup c, string variable)
    {
        var aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (c.Find(variable) is not var (value, name))
        {
            return aliases;
        }

        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var from = eq > 0 ? entry[..eq].Trim() : string.Empty;
            var to = eq > 0 ? entry[(eq + 1)..].Trim() : string.Empty;
            if (from.Length == 0 || to.Length == 0)
            {
                throw ProxyConfigurationException.Invalid(name, $"must be a comma-separated list of alias=model pairs, got '{entry}'.");
            }

            aliases[from] = to;
        }

        return aliases;
    }
}
