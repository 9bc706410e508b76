using Proxy.Web.Configuration;
using Proxy.Web.Models;

namespace Proxy.Web.Tests.Models;

public sealed class ModelMapperTests
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o"] = "qwen3-coder-plus",
        ["fast"] = "qwen3-coder-flash",
    };

    private static ModelMapper OAuth() => new(new ProxyOptions { ModelAliases = Aliases, DefaultModel = "qwen3-coder-plus" });

    private static ModelMapper ApiKey() => new(new ProxyOptions
    {
        ModelAliases = Aliases,
        DefaultModel = "qwen3-coder-plus",
        UpstreamBaseUrl = new Uri("https://dashscope.example/compatible-mode/v1"),
    });

    [Theory]
    [InlineData("gpt-4o", "qwen3-coder-plus")]
    [InlineData("GPT-4O", "qwen3-coder-plus")]
    [InlineData("fast", "qwen3-coder-flash")]
    [InlineData("qwen3-coder-flash", "qwen3-coder-flash")]
    [InlineData("Qwen3-Coder-Flash", "qwen3-coder-flash")]
    [InlineData("vision-model", "vision-model")]
    [InlineData("claude-3-opus", "qwen3-coder-plus")]
    [InlineData(null, "qwen3-coder-plus")]
    [InlineData("", "qwen3-coder-plus")]
    public void Qwen_oauth_maps_aliases_then_unknown_models_to_the_default(string? requested, string expected)
    {
        Assert.Equal(expected, OAuth().Map(requested));
    }

    [Theory]
    [InlineData("gpt-4o", "qwen3-coder-plus")]
    [InlineData("qwen-max-latest", "qwen-max-latest")]
    [InlineData("qwen/qwen3-coder", "qwen/qwen3-coder")]
    [InlineData(null, "qwen3-coder-plus")]
    public void Api_key_upstreams_pass_the_client_model_unless_aliased(string? requested, string expected)
    {
        Assert.Equal(expected, ApiKey().Map(requested));
    }
}
