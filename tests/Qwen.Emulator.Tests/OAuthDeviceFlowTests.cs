using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class OAuthDeviceFlowTests
{
    [Fact]
    public async Task Device_code_response_has_Qwens_fields_and_no_interval()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (_, challenge) = OAuthClient.NewPkce();

        var (status, json) = await OAuthClient.DeviceCodeAsync(emulator, challenge);

        Assert.Equal(200, status);
        var userCode = json.GetProperty("user_code").GetString()!;
        Assert.Matches("^[B-Z]{4}-[B-Z]{4}$", userCode);
        Assert.StartsWith("emu_dc_", json.GetProperty("device_code").GetString());
        Assert.Equal($"{emulator.Host.BaseUrl}authorize", json.GetProperty("verification_uri").GetString());
        Assert.Equal($"{emulator.Host.BaseUrl}authorize?user_code={userCode}", json.GetProperty("verification_uri_complete").GetString());
        Assert.Equal(600, json.GetProperty("expires_in").GetInt32());
        Assert.False(json.TryGetProperty("interval", out _));
        Assert.Equal(1, emulator.State.DeviceCodeCount);
        Assert.Equal([userCode], emulator.State.PendingUserCodes);
    }

    [Fact]
    public async Task Full_device_flow_with_pkce_issues_tokens_that_chat_accepts()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (verifier, challenge) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);
        var deviceCode = code.GetProperty("device_code").GetString()!;
        var userCode = code.GetProperty("user_code").GetString()!;

        var (pendingStatus, pending) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);
        Assert.Equal(400, pendingStatus);
        Assert.Equal("authorization_pending", OAuthClient.Error(pending));

        Assert.Equal(200, await OAuthClient.PostAsync(emulator, $"/emulator/device/approve?user_code={userCode}"));
        emulator.Clock.Advance(TimeSpan.FromSeconds(2));
        var (status, token) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);

        Assert.Equal(200, status);
        Assert.StartsWith("emu_at_", token.GetProperty("access_token").GetString());
        Assert.StartsWith("emu_rt_", token.GetProperty("refresh_token").GetString());
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal("openid profile email model.completion", token.GetProperty("scope").GetString());
        Assert.Equal($"127.0.0.1:{emulator.Host.BaseUrl.Port}", token.GetProperty("resource_url").GetString());
        Assert.Equal(1, emulator.State.LoginCount);
        Assert.Empty(emulator.State.PendingUserCodes);

        var (chat, _) = await emulator.ChatAsync("""{"model":"qwen3-coder-plus","messages":[]}""", bearer: token.GetProperty("access_token").GetString());
        Assert.Equal(200, (int)chat.StatusCode);

        emulator.Clock.Advance(TimeSpan.FromSeconds(2));
        var (againStatus, again) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);
        Assert.Equal(400, againStatus);
        Assert.Equal("invalid_grant", OAuthClient.Error(again));
        Assert.Equal(1, emulator.State.LoginCount);
    }

    [Fact]
    public async Task Wrong_verifier_is_invalid_grant_even_after_approval()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (_, challenge) = OAuthClient.NewPkce();
        var (otherVerifier, _) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);
        Assert.True(emulator.State.ApproveDevice(code.GetProperty("user_code").GetString()!));

        var (status, json) = await OAuthClient.PollAsync(emulator, code.GetProperty("device_code").GetString()!, otherVerifier);

        Assert.Equal(400, status);
        Assert.Equal("invalid_grant", OAuthClient.Error(json));
        Assert.Equal("code_verifier does not match code_challenge", json.GetProperty("error_description").GetString());
        Assert.Equal(0, emulator.State.LoginCount);
    }

    [Fact]
    public async Task Polling_faster_than_the_minimum_interval_is_slow_down_with_429()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (verifier, challenge) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);
        var deviceCode = code.GetProperty("device_code").GetString()!;

        var (first, _) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);
        emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        var (second, slow) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);
        emulator.Clock.Advance(TimeSpan.FromSeconds(2));
        var (third, pending) = await OAuthClient.PollAsync(emulator, deviceCode, verifier);

        Assert.Equal(400, first);
        Assert.Equal(429, second);
        Assert.Equal("slow_down", OAuthClient.Error(slow));
        Assert.Equal(400, third);
        Assert.Equal("authorization_pending", OAuthClient.Error(pending));
    }

    [Fact]
    public async Task Device_code_past_expires_in_is_expired_token()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.DeviceCodeLifetime = TimeSpan.FromSeconds(300));
        var (verifier, challenge) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);
        Assert.Equal(300, code.GetProperty("expires_in").GetInt32());

        emulator.Clock.Advance(TimeSpan.FromSeconds(299));
        var (before, pending) = await OAuthClient.PollAsync(emulator, code.GetProperty("device_code").GetString()!, verifier);
        emulator.Clock.Advance(TimeSpan.FromSeconds(1));
        var (after, expired) = await OAuthClient.PollAsync(emulator, code.GetProperty("device_code").GetString()!, verifier);

        Assert.Equal((400, "authorization_pending"), (before, OAuthClient.Error(pending)));
        Assert.Equal((400, "expired_token"), (after, OAuthClient.Error(expired)));
        Assert.Empty(emulator.State.PendingUserCodes);
    }

    [Fact]
    public async Task Denied_device_code_is_access_denied()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var (verifier, challenge) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);
        var userCode = code.GetProperty("user_code").GetString()!;

        Assert.Equal(200, await OAuthClient.PostAsync(emulator, $"/emulator/device/deny?user_code={userCode}"));
        Assert.Equal(409, await OAuthClient.PostAsync(emulator, $"/emulator/device/approve?user_code={userCode}"));
        var (status, json) = await OAuthClient.PollAsync(emulator, code.GetProperty("device_code").GetString()!, verifier);

        Assert.Equal((400, "access_denied"), (status, OAuthClient.Error(json)));
    }

    [Fact]
    public async Task Approving_an_unknown_user_code_is_404()
    {
        await using var emulator = await TestEmulator.StartAsync();

        Assert.Equal(404, await OAuthClient.PostAsync(emulator, "/emulator/device/approve?user_code=NOPE-NOPE"));
    }

    [Theory]
    [InlineData("S256", "nobody", 401, "invalid_client")]
    [InlineData("plain", OAuthClient.ClientId, 400, "invalid_request")]
    [InlineData("", OAuthClient.ClientId, 400, "invalid_request")]
    public async Task Device_code_request_is_checked(string method, string clientId, int expectedStatus, string expectedError)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (status, json) = await OAuthClient.DeviceCodeAsync(emulator, OAuthClient.NewPkce().Challenge, method, clientId);

        Assert.Equal((expectedStatus, expectedError), (status, OAuthClient.Error(json)));
        Assert.Equal(0, emulator.State.DeviceCodeCount);
    }

    [Fact]
    public async Task Device_code_request_without_challenge_is_invalid_request()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (status, json) = await OAuthClient.DeviceCodeAsync(emulator, challenge: "");

        Assert.Equal((400, "invalid_request"), (status, OAuthClient.Error(json)));
        Assert.Equal("code_challenge is required", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Auto_approve_answers_the_first_poll_with_tokens()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.AutoApproveDeviceCodes = true);
        var (verifier, challenge) = OAuthClient.NewPkce();
        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, challenge);

        var (status, _) = await OAuthClient.PollAsync(emulator, code.GetProperty("device_code").GetString()!, verifier);

        Assert.Equal(200, status);
        Assert.Equal(1, emulator.State.LoginCount);
    }

    [Fact]
    public async Task Waiting_for_a_user_code_returns_the_one_issued_next()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var waiting = emulator.State.WaitForPendingUserCodeAsync(emulator.Ct);
        Assert.False(waiting.IsCompleted);

        var (_, code) = await OAuthClient.DeviceCodeAsync(emulator, OAuthClient.NewPkce().Challenge);

        Assert.Equal(code.GetProperty("user_code").GetString(), await waiting);
    }

    [Fact]
    public async Task Token_request_needs_a_known_grant_type()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (status, json) = await OAuthClient.PostFormAsync(emulator, "/api/v1/oauth2/token", new()
        {
            ["grant_type"] = "password",
            ["client_id"] = OAuthClient.ClientId,
        });

        Assert.Equal((400, "unsupported_grant_type"), (status, OAuthClient.Error(json)));
    }
}
