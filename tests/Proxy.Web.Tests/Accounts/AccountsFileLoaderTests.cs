using Proxy.Web.Accounts;
using Proxy.Web.Configuration;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountsFileLoaderTests
{
    private const string TwoCodingPlanKeysAndOpenRouter =
        """
        {
          // comments and trailing commas are allowed
          "strategy": "round-robin",
          "affinity": {"header": "X-Conversation", "hash_messages": 1},
          "accounts": [
            {"name": "plan-a", "preset": "coding-plan-intl", "api_key": "sk-sp-aaaa1111", "weight": 2,
             "models": ["qwen3-coder-plus", "fast=qwen3-coder-flash", {"gpt-4o": "qwen3-coder-plus"}], "max_concurrent": 4},
            {"name": "plan-b", "preset": "coding-plan-cn", "api_key_env": "PLAN_B_KEY"},
            {"name": "router", "base_url": "https://openrouter.ai/api/v1", "api_key": "sk-or-v1-bbbb2222",
             "headers": {"HTTP-Referer": "https://example.com"}, "responses_url": "https://openrouter.ai/api/v1/responses", "qwen_headers": false},
          ],
        }
        """;

    private static string? Env(string name) => name == "PLAN_B_KEY" ? "sk-sp-from-env-3333" : null;

    [Fact]
    public void A_file_with_presets_keys_from_the_environment_aliases_and_headers_is_read_in_full()
    {
        using var file = new AccountsFile(TwoCodingPlanKeysAndOpenRouter);

        var pool = AccountsFileLoader.Load(file.Path, Env, "/home/u/.qwen");

        Assert.Equal(PoolStrategy.RoundRobin, pool.Strategy);
        Assert.Equal(new AffinityOptions { Header = "X-Conversation", HashedMessages = 1 }, pool.Affinity);
        Assert.Equal(["plan-a", "plan-b", "router"], pool.Accounts.Select(a => a.Name));

        var a = pool.Accounts[0];
        Assert.Equal(AccountKind.ApiKey, a.Kind);
        Assert.Equal("coding-plan-intl", a.Preset);
        Assert.Equal(new Uri("https://coding-intl.dashscope.aliyuncs.com/v1"), a.BaseUrl);
        Assert.Equal(new Uri("https://coding-intl.dashscope.aliyuncs.com/apps/anthropic/v1/messages"), a.MessagesUrl);
        Assert.Null(a.ResponsesUrl);
        Assert.Equal("sk-sp-aaaa1111", a.ApiKey);
        Assert.Equal("api_key", a.ApiKeySource);
        Assert.Equal(2, a.Weight);
        Assert.Equal(4, a.MaxConcurrent);
        Assert.True(a.QwenHeaders);
        Assert.Equal(["qwen3-coder-flash", "qwen3-coder-plus"], a.Models.Order(StringComparer.Ordinal));
        Assert.Equal("qwen3-coder-flash", a.Serves("fast"));
        Assert.Equal("qwen3-coder-plus", a.Serves("GPT-4o"));
        Assert.Equal("qwen3-coder-plus", a.Serves("qwen3-coder-plus"));
        Assert.Null(a.Serves("qwen3-max"));

        var b = pool.Accounts[1];
        Assert.Equal(new Uri("https://coding.dashscope.aliyuncs.com/v1"), b.BaseUrl);
        Assert.Equal("sk-sp-from-env-3333", b.ApiKey);
        Assert.Equal("env:PLAN_B_KEY", b.ApiKeySource);
        Assert.Equal(1, b.Weight);
        Assert.Equal(0, b.MaxConcurrent);
        Assert.Equal("qwen3-max", b.Serves("qwen3-max"));

        var router = pool.Accounts[2];
        Assert.Null(router.Preset);
        Assert.Equal(new Uri("https://openrouter.ai/api/v1"), router.BaseUrl);
        Assert.Equal(new Uri("https://openrouter.ai/api/v1/responses"), router.ResponsesUrl);
        Assert.False(router.QwenHeaders);
        Assert.Equal("https://example.com", Assert.Single(router.Headers, h => h.Key == "HTTP-Referer").Value);
    }

    [Fact]
    public void The_description_names_every_account_and_shows_no_key()
    {
        using var file = new AccountsFile(TwoCodingPlanKeysAndOpenRouter);

        var text = AccountsFileLoader.Load(file.Path, Env, "/q").Describe();

        Assert.Equal(
            "strategy round-robin, affinity on (X-Conversation), 3 accounts: "
            + "plan-a (api-key, coding-plan-intl, key …1111, weight 2), "
            + "plan-b (api-key, coding-plan-cn, key …3333, weight 1), "
            + "router (api-key, https://openrouter.ai/api/v1, key …2222, weight 1)",
            text);
    }

    [Fact]
    public void A_qwen_oauth_account_takes_its_credential_folder()
    {
        using var file = new AccountsFile("""{"strategy":"fill-first","accounts":[{"name":"qwen","kind":"qwen-oauth","qwen_dir":"/srv/qwen"},{"name":"k","base_url":"http://127.0.0.1:9/v1","api_key":"sk-local-key"}]}""");

        var pool = AccountsFileLoader.Load(file.Path, Env, "/home/u/.qwen");

        Assert.Equal(PoolStrategy.FillFirst, pool.Strategy);
        Assert.Same(pool.Accounts[0], pool.QwenOAuthAccount);
        Assert.Equal(AccountKind.QwenOAuth, pool.Accounts[0].Kind);
        Assert.Equal("/srv/qwen", pool.Accounts[0].QwenDir);
        Assert.True(pool.Accounts[0].QwenHeaders);
        Assert.False(pool.Accounts[1].QwenHeaders);
        Assert.Equal(AffinityOptions.Off, pool.Affinity);
        Assert.Equal("strategy fill-first, affinity off, 2 accounts: qwen (qwen-oauth, /srv/qwen, weight 1), k (api-key, http://127.0.0.1:9/v1, key …-key, weight 1)", pool.Describe());
    }

    [Theory]
    [InlineData("""{"accounts":[]}""", "field 'accounts' must list at least one account.")]
    [InlineData("""{"strategy":"random","accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1"}]}""", "field 'strategy' must be round-robin, fill-first or least-in-flight; got 'random'.")]
    [InlineData("""{"acounts":[]}""", "unknown field 'acounts' (known: strategy, affinity, accounts).")]
    [InlineData("""{"accounts":[{"base_url":"http://h/v1","api_key":"k1"}]}""", "accounts[0] field 'name' is required.")]
    [InlineData("""{"accounts":[{"name":"a b","base_url":"http://h/v1","api_key":"k1"}]}""", "accounts[0] field 'name' must be 1 to 64 letters, digits, '.', '_' or '-'.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1"},{"name":"A","base_url":"http://h/v1","api_key":"k2"}]}""", "account 'A' (accounts[1]) field 'name' repeats an earlier account's name.")]
    [InlineData("""{"accounts":[{"name":"a","api_key":"k1"}]}""", "account 'a' (accounts[0]) needs 'preset' or 'base_url'.")]
    [InlineData("""{"accounts":[{"name":"a","preset":"dashscope-mars","api_key":"k1"}]}""", "account 'a' (accounts[0]) field 'preset' names no known preset ('dashscope-mars'); known: coding-plan-cn, coding-plan-intl, token-plan-cn-beijing, token-plan-ap-southeast-1, dashscope-cn, dashscope-intl, dashscope-us, dashscope-cn-hongkong, openrouter.")]
    [InlineData("""{"accounts":[{"name":"a","preset":"openrouter","base_url":"http://h/v1","api_key":"k1"}]}""", "account 'a' (accounts[0]) has both 'preset' and 'base_url'; give one.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"ftp://h/v1","api_key":"k1"}]}""", "account 'a' (accounts[0]) field 'base_url' must be an absolute http:// or https:// URL without credentials.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1"}]}""", "account 'a' (accounts[0]) needs 'api_key' or 'api_key_env'.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key_env":"MISSING_KEY"}]}""", "account 'a' (accounts[0]) field 'api_key_env' names MISSING_KEY, which is not set.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key_env":"sk-secret-value"}]}""", "account 'a' (accounts[0]) field 'api_key_env' must name an environment variable (letters, digits and '_').")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1","weight":0}]}""", "account 'a' (accounts[0]) field 'weight' must be a whole number from 1 to 1000; got 0.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1","max_concurrent":-1}]}""", "account 'a' (accounts[0]) field 'max_concurrent' must be a whole number from 0 to 1000000; got -1.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1","models":["=x"]}]}""", "account 'a' (accounts[0]) field 'models' has an alias without a name or a model; write \"alias=model\" or {\"alias\": \"model\"}.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1","headers":{"Authorization":"Bearer x"}}]}""", "account 'a' (accounts[0]) field 'headers' sets Authorization, which the proxy sets itself.")]
    [InlineData("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1","apikey":"k2"}]}""", "account 'a' (accounts[0]) has an unknown field 'apikey'.")]
    [InlineData("""{"accounts":[{"name":"a","kind":"qwen-oauth","api_key":"k1"}]}""", "account 'a' (accounts[0]) field 'api_key' does not apply to a qwen-oauth account (it uses the credential in qwen_dir).")]
    [InlineData("""{"accounts":[{"name":"a","kind":"qwen-oauth"},{"name":"b","kind":"qwen-oauth"}]}""", "account 'b' (accounts[1]) field 'kind': only one qwen-oauth account is supported.")]
    [InlineData("""{"affinity":"yes","accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1"}]}""", "field 'affinity' must be true, false or {\"header\": \"X-Session-Id\", \"hash_messages\": 2}.")]
    public void A_bad_file_stops_start_up_with_one_line_naming_the_account_and_field(string json, string problem)
    {
        using var file = new AccountsFile(json);

        var error = Assert.Throws<ProxyConfigurationException>(() => AccountsFileLoader.Load(file.Path, Env, "/q"));

        Assert.Equal("ACCOUNTS_FILE", error.Variable);
        Assert.Equal($"Invalid configuration: ACCOUNTS_FILE '{file.Path}': {problem}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("sk-secret-value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupWrite, "0420")]
    public void A_file_others_may_read_or_change_is_refused(UnixFileMode mode, string octal)
    {
        using var file = new AccountsFile("""{"accounts":[{"name":"a","base_url":"http://h/v1","api_key":"k1"}]}""", mode);

        var error = Assert.Throws<ProxyConfigurationException>(() => AccountsFileLoader.Load(file.Path, Env, "/q"));

        Assert.Equal(
            $"Invalid configuration: ACCOUNTS_FILE '{file.Path}' may be read or changed by others than its owner (mode {octal}); it holds keys: run chmod 600 '{file.Path}'.",
            error.Message);
    }

    [Fact]
    public void A_missing_file_or_broken_json_is_named()
    {
        var missing = Assert.Throws<ProxyConfigurationException>(() => AccountsFileLoader.Load("/nonexistent/accounts.json", Env, "/q"));
        Assert.Equal("Invalid configuration: ACCOUNTS_FILE points to '/nonexistent/accounts.json', which does not exist.", missing.Message);

        using var file = new AccountsFile("""{"accounts": [ {"name": "a", "api_key": 12} ]}""");
        var broken = Assert.Throws<ProxyConfigurationException>(() => AccountsFileLoader.Load(file.Path, Env, "/q"));
        Assert.StartsWith($"Invalid configuration: ACCOUNTS_FILE '{file.Path}' is not a valid accounts file: ", broken.Message, StringComparison.Ordinal);
        Assert.Contains("$.accounts[0].api_key", broken.Message, StringComparison.Ordinal);
    }
}
