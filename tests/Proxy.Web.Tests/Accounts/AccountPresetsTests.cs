using Proxy.Web.Accounts;

namespace Proxy.Web.Tests.Accounts;

public sealed class AccountPresetsTests
{
    [Theory]
    [InlineData("coding-plan-cn", "https://coding.dashscope.aliyuncs.com/v1", null, "https://coding.dashscope.aliyuncs.com/apps/anthropic/v1/messages", null)]
    [InlineData("coding-plan-intl", "https://coding-intl.dashscope.aliyuncs.com/v1", null, "https://coding-intl.dashscope.aliyuncs.com/apps/anthropic/v1/messages", null)]
    [InlineData("token-plan-cn-beijing", "https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1", null, "https://token-plan.cn-beijing.maas.aliyuncs.com/apps/anthropic/v1/messages", null)]
    [InlineData("token-plan-ap-southeast-1", "https://token-plan.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1", null, "https://token-plan.ap-southeast-1.maas.aliyuncs.com/apps/anthropic/v1/messages", null)]
    [InlineData("dashscope-cn", "https://dashscope.aliyuncs.com/compatible-mode/v1", "https://dashscope.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1/responses", "https://dashscope.aliyuncs.com/apps/anthropic/v1/messages", "https://dashscope.aliyuncs.com/compatible-mode/v1/embeddings")]
    [InlineData("dashscope-intl", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "https://dashscope-intl.aliyuncs.com/api/v2/apps/protocols/compatible-mode/v1/responses", "https://dashscope-intl.aliyuncs.com/apps/anthropic/v1/messages", "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/embeddings")]
    [InlineData("dashscope-us", "https://dashscope-us.aliyuncs.com/compatible-mode/v1", null, null, "https://dashscope-us.aliyuncs.com/compatible-mode/v1/embeddings")]
    [InlineData("dashscope-cn-hongkong", "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1", null, null, "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1/embeddings")]
    [InlineData("openrouter", "https://openrouter.ai/api/v1", null, null, null)]
    public void Each_preset_carries_its_endpoints(string name, string chat, string? responses, string? messages, string? embeddings)
    {
        var preset = AccountPresets.Find(name.ToUpperInvariant());

        Assert.NotNull(preset);
        Assert.Equal(name, preset.Name);
        Assert.Equal(chat, preset.ChatBaseUrl.AbsoluteUri);
        Assert.Equal(responses, preset.ResponsesUrl?.AbsoluteUri);
        Assert.Equal(messages, preset.MessagesUrl?.AbsoluteUri);
        Assert.Equal(embeddings, preset.EmbeddingsUrl?.AbsoluteUri);
        Assert.Equal(name != "openrouter", preset.QwenHeaders);
        Assert.Equal(preset.QwenHeaders, Proxy.Actors.Upstream.QwenHeaders.IsQwenHost(preset.ChatBaseUrl));
    }

    [Fact]
    public void There_are_nine_presets_and_only_openrouter_adds_headers()
    {
        Assert.Equal(9, AccountPresets.All.Count);
        Assert.Equal(["openrouter"], AccountPresets.All.Where(p => p.Headers.Count > 0).Select(p => p.Name));
        Assert.Equal("qwen-proxy", AccountPresets.Find("openrouter")!.Headers["X-Title"]);
        Assert.Null(AccountPresets.Find("dashscope"));
    }
}
