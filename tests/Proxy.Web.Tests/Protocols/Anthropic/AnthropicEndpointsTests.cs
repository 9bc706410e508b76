using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Actors.Resilience;
using Proxy.Web.Errors;
using Proxy.Web.Protocols.Anthropic;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Protocols.Anthropic;

/// <summary><c>/v1/messages</c> over HTTP: what reaches the handler, and every refusal in Anthropic's envelope.</summary>
public sealed class AnthropicEndpointsTests
{
    private const string Minimal = """{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}""";
    private const string Key = "client-key-anthropic-0001";

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<(string Type, string Message, string? RequestId)> ReadErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.Equal(["type", "error", "request_id"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("error", root.GetProperty("type").GetString());
        var error = root.GetProperty("error");
        Assert.Equal(["type", "message"], error.EnumerateObject().Select(p => p.Name));
        var requestId = root.GetProperty("request_id").GetString();
        Assert.Equal(response.Headers.GetValues("X-Request-ID").Single(), requestId);
        return (error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!, requestId);
    }

    [Fact]
    public async Task A_messages_request_reaches_the_handler_translated_with_the_anthropic_protocol()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true") { Content = Json(Minimal) };
        request.Headers.Add("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27");
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(handler.Requests);
        Assert.Equal(CompletionApi.AnthropicMessages, seen.Api);
        Assert.Equal("qwen3-coder-plus", seen.Model); // a Claude model goes upstream as DEFAULT_MODEL
        Assert.False(seen.BodyRewritten);
        Assert.False(seen.Stream);
        Assert.Equal(
            """{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"Hi"}],"max_tokens":64}""",
            Encoding.UTF8.GetString(seen.Body.Span));
        Assert.IsType<AnthropicProtocol>(seen.Protocol);
    }

    [Fact]
    public async Task A_streaming_request_asks_the_upstream_for_usage()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/messages", Json("""{"max_tokens":8,"stream":true,"messages":[{"role":"user","content":"Hi"}]}"""));

        var seen = Assert.Single(handler.Requests);
        Assert.True(seen.Stream);
        Assert.True(seen.IncludeUsage);
        Assert.Equal("qwen3-coder-plus", seen.Model);
        Assert.Equal(
            """{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"Hi"}],"max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}""",
            Encoding.UTF8.GetString(seen.Body.Span));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", "", "qwen3-coder-plus")]
    [InlineData("claude-sonnet-4-5", "claude-sonnet-4-5=qwen3-max", "qwen3-max")]
    [InlineData("Claude-Opus-4-8", "", "qwen3-coder-plus")]
    [InlineData("qwen3-coder-flash", "", "qwen3-coder-flash")]
    [InlineData("my-model", "", "my-model")]
    public async Task On_an_api_key_upstream_claude_models_become_the_default_unless_aliased(string requested, string aliases, string upstream)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(
            new Dictionary<string, string?> { ["UPSTREAM_BASE_URL"] = "http://127.0.0.1:9/v1", ["UPSTREAM_API_KEY"] = "sk-x", ["MODEL_ALIASES"] = aliases },
            s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/messages", Json(Minimal.Replace("claude-sonnet-4-5", requested)));

        Assert.Equal(upstream, Assert.Single(handler.Requests).Model);
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"Hi"}]}""", "max_tokens: Field required")]
    [InlineData("""{"model":"m","max_tokens":5}""", "messages: Field required")]
    [InlineData("""{"model":"m","max_tokens":0,"messages":[]}""", "max_tokens: Input should be a whole number of at least 1")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"tool","content":"x"}]}""", "messages.0.role: Input should be 'user', 'assistant' or 'system'")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"video"}]}]}""", "messages.0.content.0.type: 'video' content blocks are not supported on this path (text, image, document with a text source, tool_result)")]
    [InlineData("""{"max_tokens":5,"messages":[],"tool_choice":{"type":"sometimes"}}""", "tool_choice.type: 'sometimes' is not one of auto, any, tool, none")]
    [InlineData("[]", "The request body must be a JSON object.")]
    public async Task Bad_requests_are_400_invalid_request_error_in_anthropics_envelope(string body, string message)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/messages", Json(body));

        var error = await ReadErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(("invalid_request_error", message), (error.Type, error.Message));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_missing_client_key_is_401_authentication_error()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["PROXY_API_KEYS"] = Key });

        using var response = await proxy.Client.PostAsync("/v1/messages?beta=true", Json(Minimal));

        var error = await ReadErrorAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(("authentication_error", "Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header."), (error.Type, error.Message));
    }

    [Theory]
    [InlineData("x-api-key", Key)]
    [InlineData("Authorization", "Bearer " + Key)]
    public async Task The_client_key_is_taken_as_x_api_key_or_bearer(string header, string value)
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["PROXY_API_KEYS"] = Key }, s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(Minimal) };
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Over_the_rate_limit_is_429_rate_limit_error_with_retry_after()
    {
        await using var proxy = await TestProxy.StartAsync(
            new Dictionary<string, string?> { ["RATE_LIMIT_RPS"] = "1", ["RATE_LIMIT_BURST"] = "1" },
            s => s.AddSingleton<IChatCompletionsHandler>(new FakeChatHandler()));

        using var first = await proxy.Client.PostAsync("/v1/messages", Json(Minimal));
        using var second = await proxy.Client.PostAsync("/v1/messages", Json(Minimal));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var error = await ReadErrorAsync(second, HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limit_error", error.Type);
        Assert.Equal("1", second.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_request_too_large()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["MAX_REQUEST_BODY_BYTES"] = "64" });

        using var response = await proxy.Client.PostAsync("/v1/messages", Json(Minimal + new string(' ', 100)));

        var error = await ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(("request_too_large", "Request body too large: the limit is 64 bytes (MAX_REQUEST_BODY_BYTES)."), (error.Type, error.Message));
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_invalid_request_error()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.PostAsync("/v1/messages/count_tokens", new StringContent("hi", Encoding.UTF8, "text/plain"));

        var error = await ReadErrorAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("invalid_request_error", error.Type);
    }

    [Fact]
    public async Task An_unknown_path_under_messages_is_404_not_found_error()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.PostAsync("/v1/messages/batches", Json("{}"));

        var error = await ReadErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(("not_found_error", "Unknown path: POST /v1/messages/batches."), (error.Type, error.Message));
    }

    [Theory]
    [InlineData(FailureKind.UpstreamServerError, HttpStatusCode.BadGateway, "api_error")]
    [InlineData(FailureKind.UpstreamTimeout, HttpStatusCode.GatewayTimeout, "timeout_error")]
    [InlineData(FailureKind.CircuitOpen, HttpStatusCode.ServiceUnavailable, "overloaded_error")]
    [InlineData(FailureKind.AuthRequired, HttpStatusCode.ServiceUnavailable, "api_error")]
    [InlineData(FailureKind.QuotaExhausted, HttpStatusCode.TooManyRequests, "rate_limit_error")]
    [InlineData(FailureKind.UpstreamClientError, HttpStatusCode.BadRequest, "invalid_request_error")]
    public async Task Upstream_failures_keep_their_status_with_anthropics_type(FailureKind kind, HttpStatusCode status, string type)
    {
        var handler = new FakeChatHandler((context, _) => FailureResponses.WriteAsync(context, kind));
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/messages", Json(Minimal));

        var error = await ReadErrorAsync(response, status);
        Assert.Equal(type, error.Type);
    }

    [Fact]
    public async Task Chat_completions_keep_the_openai_envelope()
    {
        await using var proxy = await TestProxy.StartAsync(new Dictionary<string, string?> { ["PROXY_API_KEYS"] = Key });

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", Json("""{"messages":[]}"""));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("authentication_error", error.Type);
        Assert.Equal("invalid_api_key", error.Code);
    }

    [Fact]
    public async Task Count_tokens_answers_the_local_estimate_and_sends_nothing_upstream()
    {
        var handler = new FakeChatHandler();
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        const string body = """{"model":"claude-sonnet-4-5","system":"Be brief.","messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""";
        Assert.True(AnthropicRequestTranslator.TryTranslate(Encoding.UTF8.GetBytes(body), out var chat, out _, out _, requireMaxTokens: false));

        using var response = await proxy.Client.PostAsync("/v1/messages/count_tokens?beta=true", Json(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"input_tokens":59}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(235, chat.Length);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_non_streaming_answer_is_translated_to_a_message_with_the_requested_model()
    {
        var handler = new FakeChatHandler(async (context, request) =>
        {
            var body = request.Protocol!.TranslateCompletion("""{"id":"c","object":"chat.completion","model":"qwen3-coder-plus","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"""u8);
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body);
        });
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler).AddSingleton<IAnthropicIds>(new CountingIds()));

        using var response = await proxy.Client.PostAsync("/v1/messages", Json(Minimal));

        Assert.Equal(
            """{"id":"msg_test_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":2}}""",
            await response.Content.ReadAsStringAsync());
    }
}
