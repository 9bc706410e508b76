using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;

using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

public sealed class DeviceFlowClientTests : IDisposable
{
    private static readonly double[] SlowDownWaits = [2.0, 2.0, 3.0, 4.5, 6.75, 10.0, 10.0];

    private readonly SteppingTimeProvider _clock = new();
    private readonly FakeOAuthServer _server = new();

    public void Dispose() => _server.Dispose();

    private DeviceFlowClient CreateClient() =>
        new(_server.CreateClient(), _server.BaseUrl, _clock, NullLogger<DeviceFlowClient>.Instance);

    [Fact]
    public async Task Device_code_request_sends_client_id_scope_and_S256_challenge_of_the_verifier()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(expiresIn: 900));

        var authorization = await CreateClient().RequestDeviceCodeAsync(CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/api/v1/oauth2/device/code", request.Path);
        Assert.Equal("application/json", request.Accept);
        Assert.Equal(QwenAuthOptions.ClientId, request.Form["client_id"]);
        Assert.Equal("openid profile email model.completion", request.Form["scope"]);
        Assert.Equal("S256", request.Form["code_challenge_method"]);
        Assert.Equal(43, authorization.CodeVerifier.Length);
        Assert.Equal(Pkce.Challenge(authorization.CodeVerifier), request.Form["code_challenge"]);
        Assert.False(request.Form.ContainsKey("code_verifier"));

        Assert.Equal("ABCD-1234", authorization.UserCode);
        Assert.Equal("device-code-secret-1", authorization.DeviceCode);
        Assert.Equal("https://chat.qwen.ai/authorize", authorization.VerificationUri.ToString());
        Assert.Equal("https://chat.qwen.ai/authorize?user_code=ABCD-1234", authorization.VerificationUriComplete.ToString());
        Assert.Equal(_clock.GetUtcNow().AddSeconds(900), authorization.ExpiresAt);
        Assert.Equal(TimeSpan.FromSeconds(2), authorization.Interval);
        Assert.DoesNotContain("device-code-secret-1", authorization.ToString());
    }

    [Fact]
    public async Task Device_code_request_that_cannot_connect_throws_a_network_error()
    {
        _server.FailNetwork();

        var error = await Assert.ThrowsAsync<DeviceFlowException>(() => CreateClient().RequestDeviceCodeAsync(CancellationToken.None));

        Assert.Equal(DeviceLoginStatus.NetworkError, error.Status);
        Assert.Equal("Could not reach the Qwen OAuth server at oauth.test: Connection refused (oauth.test:443)", error.Message);
    }

    [Fact]
    public async Task Device_code_request_refused_by_the_server_throws_a_protocol_error()
    {
        _server.Reply(HttpStatusCode.BadRequest, """{"error":"invalid_client","error_description":"unknown client"}""");

        var error = await Assert.ThrowsAsync<DeviceFlowException>(() => CreateClient().RequestDeviceCodeAsync(CancellationToken.None));

        Assert.Equal(DeviceLoginStatus.ProtocolError, error.Status);
        Assert.Equal("The Qwen OAuth server refused the device code request: HTTP 400 invalid_client: unknown client.", error.Message);
    }

    [Fact]
    public async Task Poll_keeps_waiting_while_pending_and_slows_down_by_half_up_to_ten_seconds()
    {
        _server
            .Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""")
            .Reply(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")
            .Reply(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")
            .Reply(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")
            .Reply(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")
            .Reply(HttpStatusCode.TooManyRequests, """{"error":"slow_down"}""")
            .Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-1", "refresh-1", expiresIn: 7200));
        var authorization = Authorization();

        var poll = CreateClient().PollForTokenAsync(authorization, CancellationToken.None);
        var waits = await DriveAsync(poll);
        var result = await poll;

        Assert.Equal(SlowDownWaits, waits.Select(w => w.TotalSeconds).ToArray());
        Assert.Equal(DeviceLoginStatus.Approved, result.Status);
        Assert.NotNull(result.Credentials);
        Assert.Equal("access-1", result.Credentials.AccessToken);
        Assert.Equal("refresh-1", result.Credentials.RefreshToken);
        Assert.Equal("portal.qwen.ai", result.Credentials.ResourceUrl);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(7200), result.Credentials.ExpiresAt);
        Assert.Equal(7, _server.Requests.Count);
        Assert.All(_server.Requests, r =>
        {
            Assert.Equal("/api/v1/oauth2/token", r.Path);
            Assert.Equal("urn:ietf:params:oauth:grant-type:device_code", r.Form["grant_type"]);
            Assert.Equal(QwenAuthOptions.ClientId, r.Form["client_id"]);
            Assert.Equal("device-code-secret-1", r.Form["device_code"]);
            Assert.Equal(authorization.CodeVerifier, r.Form["code_verifier"]);
        });
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"access_denied"}""", "Denied", "The login request was denied.")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"expired_token"}""", "Expired", "The login code expired before it was approved.")]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}""", "Rejected", "The Qwen OAuth server rejected the login (HTTP 401 invalid_client).")]
    [InlineData(HttpStatusCode.Unauthorized, "", "Rejected", "The Qwen OAuth server rejected the login (HTTP 401).")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"bad verifier"}""", "ProtocolError", "The Qwen OAuth server answered HTTP 400 invalid_grant: bad verifier.")]
    public async Task Poll_stops_at_a_final_answer(HttpStatusCode status, string body, string expected, string message)
    {
        _server.Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""").Reply(status, body);

        var poll = CreateClient().PollForTokenAsync(Authorization(), CancellationToken.None);
        var waits = await DriveAsync(poll);
        var result = await poll;

        Assert.Equal(expected, result.Status.ToString());
        Assert.Equal(message, result.Message);
        Assert.Null(result.Credentials);
        Assert.Equal(2, waits.Count);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Poll_gives_up_when_the_code_lifetime_ran_out_without_asking_again()
    {
        _server
            .Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""")
            .Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""");

        var poll = CreateClient().PollForTokenAsync(Authorization(lifetime: TimeSpan.FromSeconds(5)), CancellationToken.None);
        var waits = await DriveAsync(poll);
        var result = await poll;

        Assert.Equal(DeviceLoginStatus.Expired, result.Status);
        Assert.Equal(3, waits.Count);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task Poll_survives_two_network_failures_in_a_row()
    {
        _server.FailNetwork().Reply(HttpStatusCode.BadGateway, "<html>bad gateway</html>")
            .Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-1", "refresh-1"));

        var poll = CreateClient().PollForTokenAsync(Authorization(), CancellationToken.None);
        await DriveAsync(poll);

        Assert.Equal(DeviceLoginStatus.Approved, (await poll).Status);
    }

    [Fact]
    public async Task Poll_ends_with_a_network_error_after_three_failures_in_a_row()
    {
        _server.FailNetwork().FailNetwork().Reply(HttpStatusCode.ServiceUnavailable, "");

        var poll = CreateClient().PollForTokenAsync(Authorization(), CancellationToken.None);
        await DriveAsync(poll);
        var result = await poll;

        Assert.Equal(DeviceLoginStatus.NetworkError, result.Status);
        Assert.Equal("The Qwen OAuth server at oauth.test failed 3 times in a row: HTTP 503.", result.Message);
    }

    [Fact]
    public async Task Poll_stops_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        var poll = CreateClient().PollForTokenAsync(Authorization(), cts.Token);
        await _clock.NextWaitAsync();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Refresh_sends_the_refresh_grant_and_takes_the_rotated_refresh_token()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-2", "refresh-2", expiresIn: 600, resourceUrl: "other.qwen.ai"));

        var result = await CreateClient().RefreshAsync(Current(), CancellationToken.None);

        var request = Assert.Single(_server.Requests);
        Assert.Equal("/api/v1/oauth2/token", request.Path);
        Assert.Equal("refresh_token", request.Form["grant_type"]);
        Assert.Equal("refresh-1", request.Form["refresh_token"]);
        Assert.Equal(QwenAuthOptions.ClientId, request.Form["client_id"]);
        Assert.Equal(RefreshStatus.Success, result.Status);
        Assert.Equal(new QwenCredentials("access-2", "refresh-2", "Bearer", "other.qwen.ai", _clock.GetUtcNow().AddSeconds(600)), result.Credentials);
    }

    [Fact]
    public async Task Refresh_without_a_new_refresh_token_or_resource_url_keeps_the_old_ones()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-2", refresh: null, expiresIn: 600, resourceUrl: null));

        var result = await CreateClient().RefreshAsync(Current(), CancellationToken.None);

        Assert.Equal(new QwenCredentials("access-2", "refresh-1", "Bearer", "portal.qwen.ai", _clock.GetUtcNow().AddSeconds(600)), result.Credentials);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"invalid_grant"}""", "Dead", "The refresh token was rejected (HTTP 400 invalid_grant).")]
    [InlineData(HttpStatusCode.Unauthorized, "", "Dead", "The refresh token was rejected (HTTP 401).")]
    [InlineData(HttpStatusCode.InternalServerError, "oops", "Transient", "The token endpoint answered HTTP 500.")]
    [InlineData(HttpStatusCode.TooManyRequests, "", "Transient", "The token endpoint answered HTTP 429.")]
    [InlineData(HttpStatusCode.OK, "{}", "Transient", "The token endpoint answered HTTP 200.")]
    public async Task Refresh_failures_are_dead_or_transient(HttpStatusCode status, string body, string expected, string message)
    {
        _server.Reply(status, body);

        var result = await CreateClient().RefreshAsync(Current(), CancellationToken.None);

        Assert.Equal(expected, result.Status.ToString());
        Assert.Equal(message, result.Message);
        Assert.Null(result.Credentials);
    }

    [Fact]
    public async Task Refresh_that_cannot_connect_is_transient()
    {
        _server.FailNetwork();

        var result = await CreateClient().RefreshAsync(Current(), CancellationToken.None);

        Assert.Equal(RefreshStatus.Transient, result.Status);
        Assert.Equal("Could not reach the Qwen OAuth server: Connection refused (oauth.test:443)", result.Message);
    }

    [Fact]
    public async Task Refresh_without_a_refresh_token_is_dead_without_asking()
    {
        var result = await CreateClient().RefreshAsync(Current() with { RefreshToken = string.Empty }, CancellationToken.None);

        Assert.Equal(RefreshStatus.Dead, result.Status);
        Assert.Empty(_server.Requests);
    }

    private DeviceAuthorization Authorization(TimeSpan? lifetime = null) =>
        new(
            "device-code-secret-1",
            "ABCD-1234",
            new Uri("https://chat.qwen.ai/authorize"),
            new Uri("https://chat.qwen.ai/authorize?user_code=ABCD-1234"),
            _clock.GetUtcNow() + (lifetime ?? TimeSpan.FromMinutes(15)),
            TimeSpan.FromSeconds(2),
            Pkce.CreateVerifier());

    private QwenCredentials Current() =>
        new("access-1", "refresh-1", "Bearer", "portal.qwen.ai", _clock.GetUtcNow().AddMinutes(1));

    /// <summary>Advances the clock by every wait the poll arms until it ends; returns the waits.</summary>
    private async Task<List<TimeSpan>> DriveAsync(Task poll)
    {
        var waits = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        while (true)
        {
            var next = _clock.NextWaitAsync(stop.Token);
            var first = await Task.WhenAny(poll, next);
            if (first == poll)
            {
                await stop.CancelAsync();
                return waits;
            }

            var wait = await next;
            waits.Add(wait);
            _clock.Advance(wait);
        }
    }
}
