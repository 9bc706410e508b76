using System.ClientModel;
using System.Net;
using System.Text.Json;
using Proxy.EndToEnd.Tests.Support;

namespace Proxy.EndToEnd.Tests.Sdk;

/// <summary>Failures reach an SDK client as <see cref="ClientResultException"/> with the right status.</summary>
public sealed class ErrorsThroughSdkTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Upstream_400_is_a_400_and_is_not_retried(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("fault=400");

        var error = await CallAsync(OpenAiSdk.Chat(gateway), stream);

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", ErrorType(error));
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Upstream_500_after_the_proxys_retries_is_a_502(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("fault=500");

        var error = await CallAsync(OpenAiSdk.Chat(gateway), stream);

        Assert.Equal(502, error.Status);
        Assert.Equal("upstream_error", ErrorType(error));
        Assert.Equal(4, gateway.Emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Upstream_quota_429_is_a_429(bool stream)
    {
        await using var gateway = await Gateway.StartAsync("fault=429_quota");

        var error = await CallAsync(OpenAiSdk.Chat(gateway), stream);

        Assert.Equal(429, error.Status);
        Assert.Equal(1, gateway.Emulator.State.ChatRequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Wrong_client_key_is_a_401_and_nothing_goes_upstream(bool stream)
    {
        await using var gateway = await Gateway.StartAsync(environment: OpenAiSdk.ClientKeys);

        var error = await CallAsync(OpenAiSdk.Chat(gateway, key: "client-key-wrong-9999"), stream);

        Assert.Equal(401, error.Status);
        Assert.Equal("authentication_error", ErrorType(error));
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
        Assert.DoesNotContain("client-key-wrong-9999", gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Right_client_key_is_served()
    {
        await using var gateway = await Gateway.StartAsync("chunks=2", OpenAiSdk.ClientKeys);

        OpenAI.Chat.ChatCompletion completion = await OpenAiSdk.Chat(gateway).CompleteChatAsync(OpenAiSdk.Hello);

        Assert.Equal(Qwen.Emulator.EmulatorText.ForScenario("chunks=2", 7), Assert.Single(completion.Content).Text);
        var record = Assert.Single(gateway.Emulator.State.Requests);
        Assert.Equal("Bearer " + Gateway.UpstreamKey, record.Headers["Authorization"]);
    }

    [Fact]
    public async Task Missing_client_key_is_a_401_and_nothing_goes_upstream()
    {
        await using var gateway = await Gateway.StartAsync(environment: OpenAiSdk.ClientKeys);

        using var request = Gateway.ChatRequest(stream: false);
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("authentication_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(0, gateway.Emulator.State.ChatRequestCount);
    }

    private static async Task<ClientResultException> CallAsync(OpenAI.Chat.ChatClient client, bool stream)
    {
        if (!stream)
        {
            return await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync(OpenAiSdk.Hello));
        }

        return await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync(OpenAiSdk.Hello))
            {
                Assert.Fail($"an update arrived: {update.ContentUpdate.Count} parts");
            }
        });
    }

    private static string? ErrorType(ClientResultException error)
    {
        var response = error.GetRawResponse();
        Assert.NotNull(response);
        using var body = JsonDocument.Parse(response.Content);
        return body.RootElement.GetProperty("error").GetProperty("type").GetString();
    }
}
