using Proxy.Actors.Auth;

namespace Proxy.Actors.Tests.Auth;

public sealed class ApiBaseResolverTests
{
    [Theory]
    [InlineData("portal.qwen.ai", "https://portal.qwen.ai/v1")]
    [InlineData("portal.qwen.ai/", "https://portal.qwen.ai/v1")]
    [InlineData("https://portal.qwen.ai/v1", "https://portal.qwen.ai/v1")]
    [InlineData("https://portal.qwen.ai/v1/", "https://portal.qwen.ai/v1")]
    [InlineData("http://127.0.0.1:18080", "http://127.0.0.1:18080/v1")]
    [InlineData("127.0.0.1:18080", "http://127.0.0.1:18080/v1")]
    [InlineData("localhost:18080/", "http://localhost:18080/v1")]
    [InlineData("[::1]:18080", "http://[::1]:18080/v1")]
    [InlineData("https://127.0.0.1:18443", "https://127.0.0.1:18443/v1")]
    [InlineData("10.0.0.5:8080", "https://10.0.0.5:8080/v1")]
    [InlineData("dashscope.aliyuncs.com/compatible-mode", "https://dashscope.aliyuncs.com/compatible-mode/v1")]
    [InlineData(null, "https://portal.qwen.ai/v1")]
    [InlineData("", "https://portal.qwen.ai/v1")]
    [InlineData("   ", "https://portal.qwen.ai/v1")]
    public void Resource_url_becomes_an_api_base(string? resourceUrl, string expected)
    {
        Assert.Equal(expected, ApiBaseResolver.Resolve(resourceUrl, apiBaseOverride: null).ToString());
    }

    [Fact]
    public void Override_wins_over_resource_url_and_is_used_as_given()
    {
        var resolved = ApiBaseResolver.Resolve("portal.qwen.ai", new Uri("http://127.0.0.1:9000/custom/"));

        Assert.Equal("http://127.0.0.1:9000/custom", resolved.ToString());
    }
}
