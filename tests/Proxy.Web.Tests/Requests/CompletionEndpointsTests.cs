using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Requests;

public sealed class CompletionEndpointsTests
{
    [Theory]
    [InlineData("/v1/chat/completions", "{", "The request body is not valid JSON: ")]
    [InlineData("/v1/chat/completions", "[1,2]", "The request body must be a JSON object.")]
    [InlineData("/v1/chat/completions", """{"model":["x"],"messages":[]}""", "'model' must be a string.")]
    [InlineData("/v1/chat/completions", """{"messages":[],"stream":"true"}""", "'stream' must be a boolean.")]
    [InlineData("/v1/chat/completions", """{"messages":null}""", "'messages' must be an array.")]
    [InlineData("/v1/completions", """{"prompt":7}""", "'prompt' must be a string or an array of strings.")]
    [InlineData("/v1/completions", """{"model":"x"}""", "'prompt' is required.")]
    [InlineData("/v1/completions", "{]", "The request body is not valid JSON: ")]
    public async Task Malformed_bodies_are_400_and_never_reach_the_handler(string path, string body, string messageStart)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith(messageStart, error.Message);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal("invalid_request", error.Code);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Invalid_utf8_over_http_is_400()
    {
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(new FakeChatHandler()));
        using var content = new ByteArrayContent([.. "{\"messages\":[],\"x\":\""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", content);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The request body is not valid UTF-8.", error.Message);
    }

    [Fact]
    public async Task Without_a_registered_handler_completions_are_503()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", new StringContent("""{"messages":[]}""", Encoding.UTF8, "application/json"));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(new Envelope.Error("No upstream is available to serve completions.", "service_unavailable", null, "upstream_unavailable"), error);
    }

    [Fact]
    public async Task A_legacy_request_reaches_the_handler_as_chat_with_the_legacy_flag()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/completions", new StringContent("""{"model":"gpt-3.5-turbo-instruct","prompt":"Say hi","max_tokens":5,"stream":true}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = handler.Requests.Single();
        Assert.Equal(CompletionApi.LegacyCompletions, request.Api);
        Assert.True(request.Stream);
        Assert.Equal("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"Say hi"}],"max_tokens":5,"stream":true}""", Encoding.UTF8.GetString(request.Body.Span));
    }
}
