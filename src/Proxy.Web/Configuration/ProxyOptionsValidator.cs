using Microsoft.Extensions.Options;

namespace Proxy.Web.Configuration;

/// <summary>
/// The rules across variables: an accounts file replaces the single-account variables, an API-key
/// upstream needs both its URL and its key, TLS needs both
/// files, and a non-loopback bind needs client keys unless the operator opted out. Each failure is
/// the one line shown to the operator, naming the variable.
/// </summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options) =>
        Check(options) is { } error ? ValidateOptionsResult.Fail(error.Message) : ValidateOptionsResult.Success;

    /// <summary>The first rule <paramref name="options"/> breaks, or null.</summary>
    public static ProxyConfigurationException? Check(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AccountsFile is not null && (options.UpstreamBaseUrl is not null || options.UpstreamApiKey is not null))
        {
            return ProxyConfigurationException.Invalid(
                Accounts.AccountsFileLoader.Variable,
                "and UPSTREAM_BASE_URL/UPSTREAM_API_KEY are both set; list that upstream as an account in the file instead.");
        }

        if (options.AccountsFile is not null && (options.UpstreamResponsesUrl is not null || options.UpstreamMessagesUrl is not null))
        {
            return ProxyConfigurationException.Invalid(
                Accounts.AccountsFileLoader.Variable,
                "and UPSTREAM_RESPONSES_URL/UPSTREAM_MESSAGES_URL are both set; give the account 'responses_url' or 'messages_url' in the file instead.");
        }

        if (options.UpstreamApiKey is not null && options.UpstreamBaseUrl is null)
        {
            return ProxyConfigurationException.Invalid("UPSTREAM_BASE_URL", "must be set when UPSTREAM_API_KEY is set.");
        }

        if (options.UpstreamBaseUrl is not null && options.UpstreamApiKey is null)
        {
            return ProxyConfigurationException.Invalid("UPSTREAM_API_KEY", "must be set when UPSTREAM_BASE_URL is set.");
        }

        if (options.EnableTls && (MissingFile("TLS_CERT_FILE", options.TlsCertFile) ?? MissingFile("TLS_KEY_FILE", options.TlsKeyFile)) is { } tls)
        {
            return tls;
        }

        if (!options.IsLoopbackBind && !options.RequiresClientKey && !options.AllowUnauthenticated)
        {
            return new ProxyConfigurationException(
                "PROXY_API_KEYS",
                $"Refusing to start: SERVER_HOST={options.Host} is reachable from other machines and PROXY_API_KEYS is empty, so anyone could use the upstream account. Set PROXY_API_KEYS, bind to 127.0.0.1, or set ALLOW_UNAUTHENTICATED=true.");
        }

        return null;
    }

    private static ProxyConfigurationException? MissingFile(string name, string? path)
    {
        if (path is null)
        {
            return ProxyConfigurationException.Invalid(name, "must be set when ENABLE_TLS is true.");
        }

        return File.Exists(path) ? null : ProxyConfigurationException.Invalid(name, $"points to '{path}', which does not exist.");
    }
}
