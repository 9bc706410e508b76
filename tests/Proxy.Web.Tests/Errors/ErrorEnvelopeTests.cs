using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Actors.Auth;
using Proxy.Web.Errors;
using Proxy.Web.Requests;

namespace Proxy.Web.Tests.Errors;

public sealed class ErrorEnvelopeTests
{
    [Fact]
    public void Envelope_has_exactly_message_type_param_code()
    {
        var json = Encoding.UTF8.GetString(OpenAiError.ToJson("Bad \"thing\" <b>", "invalid_request_error", "model", null));

        Assert.Equal("""{"error":{"message":"Bad \"thing\" <b>","type":"invalid_request_error","param":"model","code":null}}""", json);
    }

    [Fact]
    public void Sse_event_is_a_data_line_and_a_blank_line()
    {
        var sse = Encoding.UTF8.GetString(OpenAiError.ToSseEvent("boom", "upstream_error"));

        Assert.Equal("data: {\"error\":{\"message\":\"boom\",\"type\":\"upstream_error\",\"param\":null,\"code\":null}}\n\n", sse);
    }

    [Fact]
    public async Task Unknown_path_is_404_in_the_envelope()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.GetAsync("/v2/nothing?key=secret");

        var error = await Envelope.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(new Envelope.Error("Unknown path: GET /v2/nothing.", "invalid_request_error", null, "not_found"), error);
    }

    [Fact]
    public async Task Wrong_method_is_405_in_the_envelope()
    {
        await using var proxy = await TestProxy.StartAsync();

        using var response = await proxy.Client.DeleteAsync("/v1/models");

        var error = await Envelope.ReadAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(new Envelope.Error("Method DELETE is not allowed for /v1/models.", "invalid_request_error", null, "method_not_allowed"), error);
    }

    [Fact]
    public async Task A_throwing_handler_gives_a_500_envelope_without_stack_trace()
    {
        var handler = new FakeChatHandler((_, _) => throw new InvalidOperationException("secret internals at Foo.Bar()"));
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Hosting.ProxyHostTests.Json("""{"messages":[]}""") };
        request.Headers.Add("X-Request-ID", "req-500");

        using var response = await proxy.Client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        var error = Envelope.Parse(body);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(new Envelope.Error("The proxy failed to handle the request; see its log for request id req-500.", "server_error", null, "internal_error"), error);
        Assert.DoesNotContain("secret internals", body);
        Assert.Equal("req-500", response.Headers.GetValues("X-Request-ID").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains(proxy.Log.Lines, l => l.Contains("[req-500]") && l.Contains("Unhandled error while serving POST /v1/chat/completions"));
    }

    [Fact]
    public async Task An_auth_required_exception_is_503_with_the_login_url()
    {
        var handler = new FakeChatHandler((_, _) => throw new AuthRequiredException("The refresh token was rejected."));
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));

        using var response = await proxy.Client.PostAsync("/v1/chat/completions", Hosting.ProxyHostTests.Json("""{"messages":[]}"""));

        var error = await Envelope.ReadAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("auth_required", error.Type);
        Assert.Equal("login_required", error.Code);
        Assert.Equal($"The refresh token was rejected. Log in at http://127.0.0.1:{proxy.BaseAddress.Port}/auth or run {Proxy.Web.Auth.LoginAdvice.Command}.", error.Message);
    }

    [Fact]
    public async Task A_handler_failing_after_the_response_started_aborts_the_connection()
    {
        var firstEventRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new FakeChatHandler(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"partial\":true}\n\n");
            await ctx.Response.Body.FlushAsync();
            await firstEventRead.Task;
            throw new InvalidOperationException("mid-stream");
        });
        await using var proxy = await TestProxy.StartAsync(services: s => s.AddSingleton<IChatCompletionsHandler>(handler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Hosting.ProxyHostTests.Json("""{"messages":[]}""") };
        using var response = await proxy.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);

        Assert.Equal("data: {\"partial\":true}", await reader.ReadLineAsync());
        firstEventRead.SetResult();
        var failure = await Record.ExceptionAsync(() => reader.ReadToEndAsync());

        Assert.True(failure is IOException or HttpRequestException, $"expected a broken body, got {failure?.GetType().Name ?? "a clean end"}");
    }
}
