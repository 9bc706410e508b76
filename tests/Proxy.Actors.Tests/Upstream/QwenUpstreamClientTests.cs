using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Proxy.Actors.Resilience;
using Proxy.Actors.Upstream;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Upstream;

public sealed class QwenUpstreamClientTests
{
    private static readonly UpstreamOptions Options = new() { ClientVersion = "0.1.0" };
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"model":"qwen3-coder-plus","stream":true,"temperature":0,"messages":[{"role":"user","content":"hé"}]}""");

    [Fact]
    public async Task An_oauth_call_sends_exactly_the_headers_qwen_expects_and_the_body_bytes_unchanged()
    {
        var handler = new RecordingHandler().Answer(HttpStatusCode.OK, "data: [DONE]\n\n", "text/event-stream");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.OAuth("oauth-token-1234", "https://portal.qwen.ai/v1"));

        using var result = await client.CreateCall(Body, "chat/completions", tokens, new Dictionary<string, string> { ["X-Request-ID"] = "req-1", ["Authorization"] = "Bearer evil" })(CancellationToken.None);

        Assert.True(result.IsSuccess);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("https://portal.qwen.ai/v1/chat/completions", sent.Uri.AbsoluteUri);
        Assert.Equal(Body, sent.Body);
        var agent = $"QwenCode/0.1.0 ({Platform()}; {Arch()})";
        Assert.Equal(
            new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Authorization"] = "Bearer oauth-token-1234",
                ["User-Agent"] = agent,
                ["X-DashScope-UserAgent"] = agent,
                ["X-DashScope-AuthType"] = "qwen-oauth",
                ["X-DashScope-CacheControl"] = "enable",
                ["Accept"] = "text/event-stream",
                ["Content-Type"] = "application/json",
                ["Content-Length"] = Body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["X-Request-ID"] = "req-1",
            },
            new SortedDictionary<string, string>(sent.Headers, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_api_key_call_is_not_marked_as_oauth_and_a_plain_request_accepts_json()
    {
        var handler = new RecordingHandler().Answer(HttpStatusCode.OK, "{}");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.ApiKey("sk-key-9876", "https://dashscope.example/compatible-mode/v1/"));

        using var result = await client.CreateCall("""{"stream":false}"""u8.ToArray(), "chat/completions", tokens, null)(CancellationToken.None);

        var sent = Assert.Single(handler.Requests);
        Assert.Equal("https://dashscope.example/compatible-mode/v1/chat/completions", sent.Uri.AbsoluteUri);
        Assert.False(sent.Headers.ContainsKey("X-DashScope-AuthType"));
        Assert.Equal("application/json", sent.Headers["Accept"]);
        Assert.Equal("Bearer sk-key-9876", sent.Headers["Authorization"]);
    }

    [Fact]
    public async Task A_401_renews_the_token_once_and_retries_with_the_new_one()
    {
        var handler = new RecordingHandler()
            .Answer(HttpStatusCode.Unauthorized, """{"error":{"message":"invalid access token or token expired"}}""")
            .Answer(HttpStatusCode.OK, "{}");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var old = FakeTokenSource.OAuth("old-token-aaaa");
        var tokens = new FakeTokenSource(old, FakeTokenSource.OAuth("new-token-bbbb"));

        using var result = await client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal([old], tokens.Renewed);
        Assert.Equal(["Bearer old-token-aaaa", "Bearer new-token-bbbb"], handler.Requests.Select(r => r.Headers["Authorization"]));
    }

    [Fact]
    public async Task A_second_401_is_an_unauthorized_failure_without_a_third_send()
    {
        var handler = new RecordingHandler()
            .Answer(HttpStatusCode.Unauthorized, "{}")
            .Answer(HttpStatusCode.Unauthorized, """{"error":{"message":"invalid access token or token expired"}}""");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.OAuth("old-token-aaaa"), FakeTokenSource.OAuth("new-token-bbbb"));

        using var result = await client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.Equal(FailureKind.Unauthorized, result.Failure);
        Assert.Equal("invalid access token or token expired", result.Message);
        Assert.Equal(503, result.Failure.ToStatusCode(result.StatusCode));
        Assert.Equal(2, handler.Requests.Count);
        Assert.Single(tokens.Renewed);
    }

    [Fact]
    public async Task A_dead_credential_on_renewal_is_auth_required()
    {
        var handler = new RecordingHandler().Answer(HttpStatusCode.Unauthorized, "{}");
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.OAuth("old-token-aaaa")) { RenewFails = true };

        using var result = await client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.Equal(FailureKind.AuthRequired, result.Failure);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task No_credential_is_auth_required_without_sending()
    {
        var handler = new RecordingHandler();
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var tokens = new FakeTokenSource(FakeTokenSource.OAuth("unused-token")) { LoginRequired = true };

        using var result = await client.CreateCall(Body, "chat/completions", tokens, null)(CancellationToken.None);

        Assert.Equal(FailureKind.AuthRequired, result.Failure);
        Assert.Equal("Log in at http://127.0.0.1:8143/auth", result.Message);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_client_error_is_relayed_with_the_upstream_status_and_message()
    {
        var handler = new RecordingHandler().Answer((HttpStatusCode)422, """{"error":{"message":"messages must not be empty","type":"invalid_request_error"}}""");
        using var client = new QwenUpstreamClient(Options, handler: handler);

        using var result = await client.CreateCall(Body, "chat/completions", new FakeTokenSource(FakeTokenSource.OAuth("token-1234")), null)(CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamClientError, result.Failure);
        Assert.Equal(422, result.StatusCode);
        Assert.Equal("messages must not be empty", result.Message);
    }

    [Fact]
    public async Task A_refused_connection_is_unreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new QwenUpstreamClient(Options);

        using var result = await client.CreateCall(Body, "chat/completions", new FakeTokenSource(FakeTokenSource.OAuth("token-1234", $"http://127.0.0.1:{port}/v1")), null)(CancellationToken.None);

        Assert.Equal(FailureKind.UpstreamUnreachable, result.Failure);
        Assert.Equal(0, result.StatusCode);
    }

    [Fact]
    public async Task Stream_headers_that_never_come_are_an_upstream_timeout()
    {
        var clock = new SteppingTimeProvider();
        var handler = new RecordingHandler().Then(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new QwenUpstreamClient(Options with { StreamHeadersTimeout = TimeSpan.FromSeconds(45) }, clock, handler: handler);
        var call = client.CreateCall(Body, "chat/completions", new FakeTokenSource(FakeTokenSource.OAuth("token-1234")), null);
        var start = clock.GetUtcNow();
        clock.Mark();

        using var result = await clock.RunUntilCompleteAsync(call(CancellationToken.None));

        Assert.Equal(FailureKind.UpstreamTimeout, result.Failure);
        Assert.Equal(TimeSpan.FromSeconds(45), clock.GetUtcNow() - start);
    }

    [Fact]
    public async Task Client_cancellation_is_thrown_not_classified()
    {
        using var cancel = new CancellationTokenSource();
        var handler = new RecordingHandler().Then(async (_, ct) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var client = new QwenUpstreamClient(Options, handler: handler);
        var call = client.CreateCall(Body, "chat/completions", new FakeTokenSource(FakeTokenSource.OAuth("token-1234")), null);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call(cancel.Token));
    }

    [Theory]
    [InlineData("""{"stream":true}""", true)]
    [InlineData("""{"model":"m","messages":[{"stream":false}],"stream":true}""", true)]
    [InlineData("""{"messages":[{"stream":true}],"stream":false}""", false)]
    [InlineData("""{"model":"m"}""", false)]
    [InlineData("""{"stream":"true"}""", false)]
    [InlineData("""not json""", false)]
    public void The_stream_flag_is_read_from_the_top_level_only(string body, bool expected) =>
        Assert.Equal(expected, StreamFlag.IsStreaming(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void The_handler_is_configured_like_a_reverse_proxy()
    {
        using var handler = new UpstreamOptions { MaxConnectionsPerServer = 64, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(180), ConnectTimeout = TimeSpan.FromSeconds(7) }.CreateHandler();

        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(DecompressionMethods.None, handler.AutomaticDecompression);
        Assert.False(handler.UseCookies);
        Assert.True(handler.EnableMultipleHttp2Connections);
        Assert.Equal(64, handler.MaxConnectionsPerServer);
        Assert.Equal(TimeSpan.FromSeconds(180), handler.PooledConnectionIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), handler.ConnectTimeout);
    }

    private static string Platform() => OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : "win32";

    private static string Arch() => RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";
}
