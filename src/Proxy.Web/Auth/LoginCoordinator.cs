using Proxy.Actors.Auth;

namespace Proxy.Web.Auth;

/// <summary>
/// The server's one device login at a time: a start while a login is pending returns that same
/// login; polling runs in the background; an approved login is saved and revives the token manager.
/// </summary>
internal sealed class LoginCoordinator : IDisposable
{
    private readonly DeviceFlowClient _client;
    private readonly TokenManager _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private volatile LoginStatus _status = LoginStatus.Idle;
    private Task _completion = Task.CompletedTask;

    public LoginCoordinator(DeviceFlowClient client, TokenManager tokens, TimeProvider time, ILogger<LoginCoordinator> logger)
    {
        _client = client;
        _tokens = tokens;
        _time = time;
        _logger = logger;
    }

    public LoginStatus Status => _status;

    /// <summary>The background poll of the latest login (completed when none runs).</summary>
    internal Task Completion => Volatile.Read(ref _completion);

    /// <summary>Starts a device login, or returns the one already pending.</summary>
    public async Task<LoginStatus> StartAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            var current = _status;
            if (current.Phase == LoginPhase.Pending && current.ExpiresAt > _time.GetUtcNow())
            {
                return current;
            }

            DeviceAuthorization authorization;
            try
            {
                authorization = await _client.RequestDeviceCodeAsync(cancellationToken);
            }
            catch (DeviceFlowException ex)
            {
                AuthWebLog.LoginFailed(_logger, ex.Message);
                return _status = new LoginStatus(LoginPhase.Failed, null, null, null, null, ex.Message);
            }

            var pending = new LoginStatus(
                LoginPhase.Pending,
                authorization.UserCode,
                authorization.VerificationUri,
                authorization.VerificationUriComplete,
                authorization.ExpiresAt,
                "Waiting for approval.");
            _status = pending;
            AuthWebLog.LoginStarted(_logger, authorization.VerificationUri, authorization.ExpiresAt);
            Volatile.Write(ref _completion, Task.Run(() => PollAsync(authorization, pending), CancellationToken.None));
            return pending;
        }
        finally
        {
            _starting.Release();
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _starting.Dispose();
    }

    private async Task PollAsync(DeviceAuthorization authorization, LoginStatus pending)
    {
        LoginStatus outcome;
        try
        {
            var result = await _client.PollForTokenAsync(authorization, _stopping.Token);
            outcome = result.Status switch
            {
                DeviceLoginStatus.Approved => await AcceptAsync(result.Credentials!, pending),
                DeviceLoginStatus.Denied => pending with { Phase = LoginPhase.Denied, Message = "The login was denied. Start a new one to retry." },
                DeviceLoginStatus.Expired => pending with { Phase = LoginPhase.Expired, Message = "The login code expired before it was approved. Start a new one." },
                _ => pending with { Phase = LoginPhase.Failed, Message = result.Message },
            };
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException)
        {
            AuthWebLog.LoginFailed(_logger, ex.Message);
            outcome = pending with { Phase = LoginPhase.Failed, Message = "The login was approved but could not be stored: " + ex.Message };
        }

        if (outcome.Phase != LoginPhase.Approved)
        {
            AuthWebLog.LoginEnded(_logger, outcome.Phase.ToString(), outcome.Message ?? string.Empty);
        }

        _status = outcome;
    }

    private async Task<LoginStatus> AcceptAsync(QwenCredentials credentials, LoginStatus pending)
    {
        var snapshot = await _tokens.AcceptLoginAsync(credentials, _stopping.Token);
        AuthWebLog.LoginCompleted(_logger, snapshot.Account, credentials.AccessTokenHint, credentials.ExpiresAt);
        return pending with { Phase = LoginPhase.Approved, Message = "Logged in." };
    }
}
