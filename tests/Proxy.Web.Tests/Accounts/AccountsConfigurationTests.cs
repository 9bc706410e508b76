using Proxy.Web.Accounts;
using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountsConfigurationTests
{
    private const string TwoKeys = """{"accounts":[{"name":"a","base_url":"http://127.0.0.1:9/v1","api_key_env":"KEY_A"},{"name":"b","preset":"dashscope-intl","api_key":"sk-b-0000"}]}""";

    [Fact]
    public void Without_a_file_the_single_account_variables_make_a_pool_of_one()
    {
        var apiKey = Config.Parse(("UPSTREAM_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1"), ("UPSTREAM_API_KEY", "sk-one-1234"));
        var oauth = Config.Parse(("QWEN_DIR", "/srv/q"));

        var key = Assert.Single(apiKey.Pool.Accounts);
        Assert.Equal(("qwen", AccountKind.ApiKey, "sk-one-1234", true), (key.Name, key.Kind, key.ApiKey, key.QwenHeaders));
        Assert.Equal(UpstreamMode.ApiKey, apiKey.UpstreamMode);
        var qwen = Assert.Single(oauth.Pool.Accounts);
        Assert.Equal(("qwen", AccountKind.QwenOAuth, "/srv/q"), (qwen.Name, qwen.Kind, qwen.QwenDir));
        Assert.Null(oauth.AccountsFile);
        Assert.Equal(TimeSpan.FromSeconds(60), oauth.AccountCooldown);
    }

    [Fact]
    public void A_plain_upstream_of_one_no_longer_gets_qwens_headers()
    {
        var options = Config.Parse(("UPSTREAM_BASE_URL", "https://openrouter.ai/api/v1"), ("UPSTREAM_API_KEY", "sk-or-1234"));

        Assert.False(Assert.Single(options.Pool.Accounts).QwenHeaders);
    }

    [Fact]
    public void ACCOUNTS_FILE_names_the_file_and_reads_keys_from_the_same_configuration()
    {
        using var file = new AccountsFile(TwoKeys);

        var options = Config.Parse(("ACCOUNTS_FILE", file.Path), ("KEY_A", "sk-a-from-env"), ("ACCOUNT_COOLDOWN", "2m"));

        Assert.Equal(file.Path, options.AccountsFile);
        Assert.Equal(["a", "b"], options.Pool.Accounts.Select(a => a.Name));
        Assert.Equal("sk-a-from-env", options.Pool.Accounts[0].ApiKey);
        Assert.Equal(UpstreamMode.ApiKey, options.UpstreamMode);
        Assert.Equal(TimeSpan.FromMinutes(2), options.AccountCooldown);
        var described = ProxyOptionsDescriber.Describe(options);
        Assert.Contains($"ACCOUNTS_FILE={file.Path} ACCOUNT_COOLDOWN=2m", described, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-a-from-env", described, StringComparison.Ordinal);
    }

    [Fact]
    public void Accounts_on_the_command_line_names_the_file()
    {
        using var file = new AccountsFile("""{"accounts":[{"name":"only","base_url":"http://127.0.0.1:9/v1","api_key":"sk-only-1"}]}""");
        var configuration = ProxyConfigurationLoader.Load(["--accounts", file.Path], Path.Combine(Path.GetTempPath(), "proxy-web-tests-no-appsettings.json"), new Dictionary<string, string?>());

        var options = ProxyOptionsParser.Parse(configuration);

        Assert.Equal("only", Assert.Single(options.Pool.Accounts).Name);
    }

    [Fact]
    public void A_qwen_oauth_account_in_the_file_sets_the_credential_folder_and_the_mode()
    {
        using var file = new AccountsFile("""{"accounts":[{"name":"qwen","kind":"qwen-oauth","qwen_dir":"/srv/creds"},{"name":"b","preset":"openrouter","api_key":"sk-or-1"}]}""");

        var options = Config.Parse(("ACCOUNTS_FILE", file.Path));

        Assert.Equal("/srv/creds", options.QwenDir);
        Assert.Equal(UpstreamMode.QwenOAuth, options.UpstreamMode);
    }

    [Fact]
    public void A_file_and_the_single_account_variables_together_are_refused()
    {
        using var file = new AccountsFile(TwoKeys);

        var error = Config.Error(("ACCOUNTS_FILE", file.Path), ("KEY_A", "k"), ("UPSTREAM_BASE_URL", "http://x/v1"), ("UPSTREAM_API_KEY", "k2"));

        Assert.Equal("Invalid configuration: ACCOUNTS_FILE and UPSTREAM_BASE_URL/UPSTREAM_API_KEY are both set; list that upstream as an account in the file instead.", error.Message);
    }

    [Fact]
    public void A_bad_cooldown_is_named()
    {
        var error = Config.Error(("ACCOUNT_COOLDOWN", "soon"));

        Assert.Equal("Invalid configuration: ACCOUNT_COOLDOWN must be a duration of at least 1s such as 30s, 5m, 1h or a number of seconds, got 'soon'.", error.Message);
    }
}
