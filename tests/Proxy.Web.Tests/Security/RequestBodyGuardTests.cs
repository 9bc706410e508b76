using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Security;

public sealed class RequestBodyGuardTests
{
    private static Task<TestProxy> Start(FakeChatHandler handler, string limit = "200") =>
        TestProxy.StartAsync(
            new Dictionary<string, string?> { ["MAX_REQUEST_BODY_BYTES"] = limit },
            s => s.AddSingleton<IChatCompletionsHandler>(handler));

    /// <summary>A valid chat body of exactly <paramref name="size"/> bytes.</summary>
    private static string Body(int size) => "{\"model\":\"qwen3-coder-plus\",\"messages\":[],\"pad\":\"" + new string('x', size - 51) + "\"}";

    [Fact]
    public async Task A_declared_body_over_the_limit_is_413_before_it_is_read()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", new StringContent(Body(201), Encoding.UTF8, "application/json"));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(new Envelope.Error("Request body too large: the limit is 200 bytes (MAX_REQUEST_BODY_BYTES).", "invalid_request_error", null, "request_too_large"), error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_body_at_the_limit_passes()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", new StringContent(Body(200), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(200, Body(200).Length);
        Assert.Equal(200, handler.Requests.Single().Body.Length);
    }

    [Fact]
    public async Task A_chunked_body_growing_over_the_limit_is_413()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Body(5000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large: the limit is 200 bytes (MAX_REQUEST_BODY_BYTES).", error.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_huge_body_is_413_never_500()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler, "1MB");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(Body(5 * 1024 * 1024), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;

        using var response = await proxy.Client.SendAsync(request);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("Request body too large: the limit is 1048576 bytes (MAX_REQUEST_BODY_BYTES).", error.Message);
    }

    [Theory]
    [InlineData("text/plain", "Unsupported media type: send the body as JSON with 'Content-Type: application/json' (got Content-Type 'text/plain; charset=utf-8').")]
    [InlineData("application/x-www-form-urlencoded", "Unsupported media type: send the body as JSON with 'Content-Type: application/json' (got Content-Type 'application/x-www-form-urlencoded; charset=utf-8').")]
    public async Task A_body_that_is_not_json_is_415(string mediaType, string message)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", new StringContent("""{"messages":[]}""", Encoding.UTF8, mediaType));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(new Envelope.Error(message, "invalid_request_error", null, "unsupported_media_type"), error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_body_without_content_type_is_415()
    {
        await using var proxy = await Start(new FakeChatHandler());
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"messages":[]}"""));

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", content);

        var error = await Envelope.ReadAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Unsupported media type: send the body as JSON with 'Content-Type: application/json' (got no Content-Type).", error.Message);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON; charset=UTF-8")]
    public async Task Json_content_types_pass(string contentType)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await Start(handler);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"messages":[]}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Json_in_another_charset_is_415()
    {
        await using var proxy = await Start(new FakeChatHandler());
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes("""{"messages":[]}"""));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=iso-8859-1");

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task An_empty_post_without_content_type_reaches_the_endpoint_and_is_400()
    {
        await using var proxy = await Start(new FakeChatHandler());

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", new ByteArrayContent([]));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("The request body is empty; send a JSON object with 'model' and 'messages'.", error.Message);
    }
}
