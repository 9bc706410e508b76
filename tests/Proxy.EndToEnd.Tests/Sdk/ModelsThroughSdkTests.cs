using System.ClientModel;
using OpenAI.Models;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>The proxy's own model list, read with the SDK's model client.</summary>
public sealed class ModelsThroughSdkTests
{
    [Fact]
    public async Task Model_list_names_the_known_qwen_models()
    {
        await using var gateway = await Gateway.StartAsync();

        OpenAIModelCollection models = await OpenAiSdk.Models(gateway).GetModelsAsync();

        var ids = models.Select(m => m.Id).ToList();
        Assert.Equal(["qwen3-coder-plus", "qwen3-coder-flash", "coder-model", "vision-model"], ids);
        Assert.All(models, m => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1753142400), m.CreatedAt));
        Assert.All(models, m => Assert.Equal("qwen", m.OwnedBy));
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
    }

    [Fact]
    public async Task Model_by_id_is_found()
    {
        await using var gateway = await Gateway.StartAsync();

        OpenAIModel model = await OpenAiSdk.Models(gateway).GetModelAsync("qwen3-coder-flash");

        Assert.Equal("qwen3-coder-flash", model.Id);
        Assert.Equal("qwen", model.OwnedBy);
    }

    [Fact]
    public async Task Unknown_model_id_is_a_404_client_result_exception()
    {
        await using var gateway = await Gateway.StartAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => OpenAiSdk.Models(gateway).GetModelAsync("no-such-model"));

        Assert.Equal(404, error.Status);
    }
}
