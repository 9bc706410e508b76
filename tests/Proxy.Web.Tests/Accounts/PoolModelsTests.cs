using Proxy.Web.Models;

namespace Proxy.Web.Tests.Accounts;

public sealed class PoolModelsTests
{
    [Fact]
    public void The_model_list_adds_each_accounts_models_and_aliases()
    {
        using var file = new AccountsFile("""
            {"accounts":[
              {"name":"a","base_url":"http://127.0.0.1:9/v1","api_key":"k1","models":["qwen3-max",{"fast":"qwen3-coder-flash"}]},
              {"name":"b","base_url":"http://127.0.0.1:9/v1","api_key":"k2","models":["qwen3-max","glm-4.6"]}]}
            """);
        var options = Config.Parse(("ACCOUNTS_FILE", file.Path));

        var catalog = new ModelCatalog(options);

        Assert.Equal(
            ["qwen3-coder-plus", "qwen3-coder-flash", "coder-model", "vision-model", "qwen3-max", "fast", "glm-4.6"],
            catalog.Models.Select(m => m.Id));
        Assert.Equal(new ModelInfo("fast", "qwen-proxy", 262_144, "qwen3-coder-flash"), catalog.Find("FAST"));
        Assert.Equal("glm-4.6", new ModelMapper(options).Map("glm-4.6"));
    }

    [Fact]
    public void A_qwen_oauth_pool_passes_an_account_alias_to_the_pool_and_maps_other_unknown_names_to_the_default()
    {
        using var file = new AccountsFile("""{"accounts":[{"name":"q","kind":"qwen-oauth","models":["coder=qwen3-coder-plus"]}]}""");
        var mapper = new ModelMapper(Config.Parse(("ACCOUNTS_FILE", file.Path)));

        Assert.Equal("coder", mapper.Map("coder"));
        Assert.Equal("qwen3-coder-plus", mapper.Map("gpt-4o"));
    }
}
