using Proxy.Web.Configuration;
using Proxy.Web.Models;

namespace Proxy.Web.Tests.Models;

public sealed class UpstreamModelsTests
{
    [Fact]
    public void An_openai_model_list_is_read_with_its_owners()
    {
        var models = UpstreamModels.Parse("""{"object":"list","data":[{"id":"qwen3-max","object":"model","owned_by":"system"},{"id":"qwen-plus","object":"model"},{"object":"model"},{"id":""}]}"""u8);

        Assert.Equal([new ModelInfo("qwen3-max", "system", null), new ModelInfo("qwen-plus", "upstream", null)], models);
    }

    [Theory]
    [InlineData("""{"object":"list","data":[]}""")]
    [InlineData("""{"models":["a"]}""")]
    [InlineData("""[]""")]
    public void A_list_without_models_means_the_built_in_list(string body)
    {
        Assert.Null(UpstreamModels.Parse(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void The_aliases_are_added_to_the_upstreams_list_and_replace_a_model_of_their_name()
    {
        var catalog = new ModelCatalog(new ProxyOptions
        {
            ModelAliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["gpt-4o"] = "qwen3-max", ["qwen-plus"] = "qwen3-max" },
        });

        var models = catalog.WithUpstream([new ModelInfo("qwen3-max", "system", null), new ModelInfo("qwen-plus", "system", null)]);

        Assert.Equal(
            [new ModelInfo("qwen3-max", "system", null), new ModelInfo("gpt-4o", "qwen-proxy", null, "qwen3-max"), new ModelInfo("qwen-plus", "qwen-proxy", null, "qwen3-max")],
            models);
    }
}
