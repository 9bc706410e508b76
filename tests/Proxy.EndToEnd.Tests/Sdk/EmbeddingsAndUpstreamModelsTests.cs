using System.ClientModel;
using OpenAI.Embeddings;
using OpenAI.Models;
using Proxy.EndToEnd.Tests.Support;
using Qwen.Emulator;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary><c>/v1/embeddings</c> passed through, and <c>/v1/models</c> from an upstream that lists its own.</summary>
public sealed class EmbeddingsAndUpstreamModelsTests
{
    [Fact]
    public async Task Embeddings_pass_through_with_the_model_mapped()
    {
        await using var gateway = await Gateway.StartAsync(environment: new Dictionary<string, string?> { ["MODEL_ALIASES"] = "text-embedding-3-small=text-embedding-v4" });
        var client = new EmbeddingClient("text-embedding-3-small", new ApiKeyCredential(OpenAiSdk.ClientKey), OpenAiSdk.Options(gateway));

        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["first", "second"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(EmulatorEmbeddings.Vector(7, "first").Select(v => (float)v), embeddings[0].ToFloats().ToArray());
        Assert.Equal(EmulatorEmbeddings.Vector(7, "second").Select(v => (float)v), embeddings[1].ToFloats().ToArray());
        Assert.Equal("text-embedding-v4", embeddings.Model);
        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal("/v1/embeddings", record.Path);
        Assert.Contains("\"model\":\"text-embedding-v4\"", record.BodyText, StringComparison.Ordinal);
        Assert.Equal("Bearer " + Gateway.UpstreamKey, record.Headers["Authorization"]);
    }

    [Fact]
    public async Task An_upstream_embeddings_failure_keeps_its_status()
    {
        await using var gateway = await Gateway.StartAsync("fault=400");
        var client = new EmbeddingClient("text-embedding-v4", new ApiKeyCredential(OpenAiSdk.ClientKey), OpenAiSdk.Options(gateway));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("x"));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task The_model_list_is_the_upstreams_with_the_aliases_added()
    {
        await using var gateway = await Gateway.StartAsync(
            environment: new Dictionary<string, string?> { ["MODEL_ALIASES"] = "gpt-4o=qwen3-max" },
            emulator: o =>
            {
                o.ModelIds.Add("qwen3-max");
                o.ModelIds.Add("qwen3-coder-plus");
            });

        OpenAIModelCollection models = await OpenAiSdk.Models(gateway).GetModelsAsync();

        Assert.Equal(["qwen3-max", "qwen3-coder-plus", "gpt-4o"], models.Select(m => m.Id));
        Assert.Equal(["system", "system", "qwen-proxy"], models.Select(m => m.OwnedBy));
        OpenAIModel max = await OpenAiSdk.Models(gateway).GetModelAsync("qwen3-max");
        Assert.Equal("system", max.OwnedBy);
    }
}
