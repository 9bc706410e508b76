using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;
using Qwen.Emulator;

using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

/// <summary>The device login against the Qwen emulator over HTTP on 127.0.0.1, polls driven in virtual time.</summary>
public sealed class EmulatorDeviceLoginTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private readonly SteppingTimeProvider _clock = new();
    private readonly HttpClient _http = new();
    private EmulatorHost _emulator = null!;

    public Task InitializeAsync() => StartEmulatorAsync(new EmulatorOptions());

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Device_login_with_pkce_completes_once_the_user_approves()
    {
        var client = CreateClient();
        var authorization = await client.RequestDeviceCodeAsync(CancellationToken.None);
        var poll = client.PollForTokenAsync(authorization, CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(2), await _clock.NextWaitAsync());
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), await _clock.NextWaitAsync()); // first poll: pending
        Assert.Equal(0, _emulator.State.LoginCount);

        await ApproveAsync(authorization.UserCode);
        _clock.Advance(TimeSpan.FromSeconds(2));
        var result = await poll.WaitAsync(Bound);

        Assert.Equal(DeviceLoginStatus.Approved, result.Status);
        Assert.Equal(1, _emulator.State.LoginCount);
        var credentials = result.Credentials!;
        Assert.StartsWith("emu_at_", credentials.AccessToken);
        Assert.StartsWith("emu_rt_", credentials.RefreshToken);
        Assert.Equal(_clock.GetUtcNow().AddHours(1), credentials.ExpiresAt);
        Assert.Equal(new Uri(_emulator.BaseUrl, "v1").ToString(), credentials.ToAccessToken(null).ApiBase.ToString());
        Assert.Equal(new Uri(_emulator.BaseUrl, "authorize").ToString(), authorization.VerificationUri.ToString());
        Assert.Equal(authorization.VerificationUri + "?user_code=" + authorization.UserCode, authorization.VerificationUriComplete.ToString());

        using var chat = await ChatAsync(credentials.AccessToken);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
    }

    [Fact]
    public async Task Slow_down_from_the_server_grows_the_poll_interval_by_half()
    {
        await _emulator.DisposeAsync();
        await StartEmulatorAsync(new EmulatorOptions { MinPollInterval = TimeSpan.FromSeconds(5) });
        var client = CreateClient();
        var authorization = await client.RequestDeviceCodeAsync(CancellationToken.None);
        var poll = client.PollForTokenAsync(authorization, CancellationToken.None);

        // Polls at 2 s (pending), 4 s, 7 s, 11.5 s (each too soon for 5 s: slow_down), 18.25 s (pending).
        var waits = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var wait = await _clock.NextWaitAsync();
            waits.Add(wait.TotalSeconds);
            _clock.Advance(wait);
        }

        var last = await _clock.NextWaitAsync();
        waits.Add(last.TotalSeconds);
        await ApproveAsync(authorization.UserCode);
        _clock.Advance(last);
        var result = await poll.WaitAsync(Bound);

        Assert.Equal(new[] { 2.0, 2.0, 3.0, 4.5, 6.75, 6.75 }, waits);
        Assert.Equal(DeviceLoginStatus.Approved, result.Status);
        Assert.Equal(1, _emulator.State.LoginCount);
    }

    [Fact]
    public async Task Denied_login_ends_as_denied()
    {
        var client = CreateClient();
        var authorization = await client.RequestDeviceCodeAsync(CancellationToken.None);
        var poll = client.PollForTokenAsync(authorization, CancellationToken.None);
        var wait = await _clock.NextWaitAsync();

        using var deny = await _http.PostAsync(new Uri(_emulator.BaseUrl, "emulator/device/deny?user_code=" + Uri.EscapeDataString(authorization.UserCode)), null);
        Assert.Equal(HttpStatusCode.OK, deny.StatusCode);
        _clock.Advance(wait);
        var result = await poll.WaitAsync(Bound);

        Assert.Equal(DeviceLoginStatus.Denied, result.Status);
        Assert.Equal("The login request was denied.", result.Message);
        Assert.Equal(0, _emulator.State.LoginCount);
    }

    [Fact]
    public async Task Login_nobody_approves_ends_as_expired()
    {
        await _emulator.DisposeAsync();
        await StartEmulatorAsync(new EmulatorOptions { DeviceCodeLifetime = TimeSpan.FromSeconds(5) });
        var client = CreateClient();
        var authorization = await client.RequestDeviceCodeAsync(CancellationToken.None);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(5), authorization.ExpiresAt);
        var poll = client.PollForTokenAsync(authorization, CancellationToken.None);

        while (!poll.IsCompleted)
        {
            var next = _clock.NextWaitAsync();
            if (await Task.WhenAny(poll, next).WaitAsync(Bound) == poll)
            {
                break;
            }

            _clock.Advance(await next);
        }

        var result = await poll;
        Assert.Equal(DeviceLoginStatus.Expired, result.Status);
        Assert.Equal("The login code expired before it was approved.", result.Message);
    }

    private DeviceFlowClient CreateClient() =>
        new(_http, _emulator.BaseUrl, _clock, NullLogger<DeviceFlowClient>.Instance);

    private async Task StartEmulatorAsync(EmulatorOptions options)
    {
        options.TimeProvider = _clock;
        options.ResourceUrl = "http://127.0.0.1:{port}";
        _emulator = await EmulatorHost.StartAsync(options);
    }

    private async Task ApproveAsync(string userCode)
    {
        using var approve = await _http.PostAsync(new Uri(_emulator.BaseUrl, "emulator/device/approve?user_code=" + Uri.EscapeDataString(userCode)), null);
        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
    }

    private Task<HttpResponseMessage> ChatAsync(string accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.BaseUrl, "v1/chat/completions"))
        {
            Content = new StringContent("""{"model":"qwen3-coder-plus","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        return _http.SendAsync(request);
    }
}
