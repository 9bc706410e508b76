using Proxy.Actors.Auth;
using Proxy.Web.Auth;

using Proxy.TestKit;

namespace Proxy.Web.Tests.Auth;

public sealed class LoginCommandTests : IDisposable
{
    private readonly SteppingTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FakeOAuthServer _server = new();
    private readonly TempQwenDir _dir = new();
    private readonly StringWriter _output = new();
    private readonly List<string> _opened = [];

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
        _output.Dispose();
    }

    [Fact]
    public async Task Approved_login_prints_url_code_and_qr_saves_the_credential_and_exits_0()
    {
        _server
            .Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson(deviceCode: "device-code-secret-9"))
            .Reply(HttpStatusCode.BadRequest, """{"error":"authorization_pending"}""")
            .Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("access-token-secret-0001", "refresh-token-secret-0002"));

        var exit = await RunAsync(desktop: false);

        Assert.Equal(LoginExitCodes.Success, exit);
        var text = _output.ToString();
        Assert.Contains("    https://chat.qwen.ai/authorize?user_code=ABCD-1234\n", text);
        Assert.Contains("User code: ABCD-1234\n", text);
        Assert.Contains("Open this URL in a browser (or scan the QR code) and approve the login:", text);
        Assert.Contains("▀", text);
        Assert.Contains($"Logged in. Credential saved to {_dir.CredentialFile} (token …0001, expires ", text);
        Assert.Contains("API base: https://portal.qwen.ai/v1", text);
        Assert.DoesNotContain("access-token-secret", text);
        Assert.DoesNotContain("refresh-token-secret", text);
        Assert.DoesNotContain("device-code-secret", text);
        Assert.Empty(_opened);

        var stored = await new FileCredentialStore(_dir.Folder, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<FileCredentialStore>.Instance)
            .LoadAsync(CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal("access-token-secret-0001", stored.AccessToken);
        Assert.Equal("refresh-token-secret-0002", stored.RefreshToken);
        Assert.Equal("portal.qwen.ai", stored.ResourceUrl);
        Assert.False(File.Exists(_dir.LockFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.CredentialFile));
        }
    }

    [Fact]
    public async Task With_a_desktop_the_browser_is_opened_at_the_complete_url()
    {
        _server
            .Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson())
            .Reply(HttpStatusCode.OK, FakeOAuthServer.TokenJson("a", "r"));

        Assert.Equal(LoginExitCodes.Success, await RunAsync(desktop: true));

        Assert.Equal(["https://chat.qwen.ai/authorize?user_code=ABCD-1234"], _opened);
        Assert.Contains("A browser window was opened.", _output.ToString());
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"access_denied"}""", LoginExitCodes.Denied, "Login denied: the request was rejected in the browser. Run the login again to retry.")]
    [InlineData(HttpStatusCode.BadRequest, """{"error":"expired_token"}""", LoginExitCodes.Expired, "Login expired: the code was not approved in time. Run the login again for a new code.")]
    [InlineData(HttpStatusCode.Unauthorized, """{"error":"invalid_client"}""", LoginExitCodes.Rejected, "Login failed: The Qwen OAuth server rejected the login (HTTP 401 invalid_client).")]
    public async Task Login_that_does_not_succeed_exits_with_its_own_code_and_message(HttpStatusCode status, string body, int exitCode, string message)
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson()).Reply(status, body);

        var exit = await RunAsync(desktop: false);

        Assert.Equal(exitCode, exit);
        Assert.EndsWith(message + "\n", _output.ToString().ReplaceLineEndings("\n"));
        Assert.False(File.Exists(_dir.CredentialFile));
    }

    [Fact]
    public async Task Unreachable_oauth_server_exits_5_with_a_network_message()
    {
        _server.FailNetwork();

        var exit = await RunAsync(desktop: false);

        Assert.Equal(LoginExitCodes.NetworkError, exit);
        Assert.Contains("Login failed: Could not reach the Qwen OAuth server at oauth.test: Connection refused (oauth.test:443)\n", _output.ToString());
    }

    [Fact]
    public async Task Network_failures_while_polling_exit_5()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson()).FailNetwork().FailNetwork().FailNetwork();

        Assert.Equal(LoginExitCodes.NetworkError, await RunAsync(desktop: false));
        Assert.Contains("Login failed: The Qwen OAuth server at oauth.test failed 3 times in a row", _output.ToString());
    }

    [Fact]
    public async Task Interrupted_login_exits_130()
    {
        _server.Reply(HttpStatusCode.OK, FakeOAuthServer.DeviceCodeJson());
        using var interrupt = new CancellationTokenSource();
        var run = StartRun(desktop: false, interrupt.Token);
        await _clock.NextWaitAsync();

        await interrupt.CancelAsync();

        Assert.Equal(LoginExitCodes.Cancelled, await run);
        Assert.EndsWith("Login cancelled.\n", _output.ToString().ReplaceLineEndings("\n"));
    }

    private async Task<int> RunAsync(bool desktop)
    {
        var run = StartRun(desktop, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        while (true)
        {
            var next = _clock.NextWaitAsync(stop.Token);
            if (await Task.WhenAny(run, next) == run)
            {
                await stop.CancelAsync();
                return await run;
            }

            _clock.Advance(await next);
        }
    }

    private Task<int> StartRun(bool desktop, CancellationToken cancellationToken)
    {
        var browser = new BrowserLauncher(
            name => name switch
            {
                "DISPLAY" => desktop ? ":0" : null,
                "PATH" => "/usr/local/bin" + Path.PathSeparator + "/usr/bin",
                _ => null,
            },
            (program, arguments) =>
            {
                _opened.AddRange(arguments);
                return true;
            },
            fileExists: path => path.EndsWith("xdg-open", StringComparison.Ordinal));
        var options = new QwenAuthOptions { QwenDir = _dir.Folder, OAuthBaseUrl = _server.BaseUrl };
        return Task.Run(() => LoginCommand.RunAsync(options, _output, _server.CreateClient(), _clock, browser, cancellationToken));
    }
}
