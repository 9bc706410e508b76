using Microsoft.Extensions.Logging;
using Proxy.Actors.Cluster;
using Proxy.Actors.Runtime;

namespace Proxy.Actors.Auth;

/// <summary>What the token manager actor takes.</summary>
internal abstract record TokenManagerMessage
{
    private TokenManagerMessage()
    {
    }

    /// <summary>A caller needs a token and the published one is not fresh.</summary>
    public sealed record GetToken(Reply<AccessToken> Reply) : TokenManagerMessage;

    /// <summary>The upstream answered 401 to <paramref name="Rejected"/>.</summary>
    public sealed record RenewAfterUnauthorized(AccessToken Rejected, Reply<AccessToken> Reply) : TokenManagerMessage;

    /// <summary>Re-read the store now (a login just saved a credential); replies with the new snapshot.</summary>
    public sealed record Reload(Reply<AuthSnapshot> Reply) : TokenManagerMessage;

    /// <summary>Timer: time to refresh ahead of expiry, or to retry after a transient failure.</summary>
    public sealed record RefreshDue : TokenManagerMessage
    {
        public static readonly RefreshDue Instance = new();
    }

    /// <summary>Timer: look for a credential another process wrote.</summary>
    public sealed record CheckStore : TokenManagerMessage
    {
        public static readonly CheckStore Instance = new();
    }

    /// <summary>The store announced a newer credential (cluster mode: another instance refreshed, or a login).</summary>
    public sealed record StoreChanged(QwenCredentials Credentials) : TokenManagerMessage;

    /// <summary>The background refresh <paramref name="Attempt"/> ended.</summary>
    public sealed record RefreshFinished(long Attempt, RefreshOutcome Outcome) : TokenManagerMessage;
}

/// <summary>
/// Keeps one account's access token fresh. States: <see cref="AuthState.NoCredential"/>,
/// <see cref="AuthState.Valid"/>, <see cref="AuthState.Refreshing"/>, <see cref="AuthState.Dead"/>.
/// Refreshes on a timer ahead of expiry; every request that needs a new token while a refresh runs
/// waits for that one refresh; a rejected refresh token ends in Dead (no retries) until a new
/// login; network failures back off (1 s doubling to 60 s, at most
/// <see cref="MaxBackgroundRetries"/> retries on its own) and meanwhile fail fast.
/// Every change is published to <see cref="TokenPublication"/> for the lock-free request path.
/// </summary>
internal sealed class TokenManagerActor : Actor<TokenManagerMessage>
{
    /// <summary>A token that expires sooner than this is not handed out; the caller waits for the refresh.</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    /// <summary>Transient failures in a row after which only demand (a request needing a token) triggers another try.</summary>
    public const int MaxBackgroundRetries = 10;

    private const string RefreshTimer = "refresh";
    private const string CheckStoreTimer = "check-store";

    private readonly QwenAuthOptions _options;
    private readonly CredentialRefresher _refresher;
    private readonly TokenPublication _publication;
    private readonly ILogger _logger;
    private readonly ICredentialChangeNotifier? _notifier;
    private readonly List<Reply<AccessToken>> _waiters = [];
    private IDisposable? _subscription;
    private QwenCredentials? _credentials;
    private AccessToken? _token;
    private AuthState _state = AuthState.NoCredential;
    private CancellationTokenSource? _refreshCancel;
    private long _attempt;
    private int _failures;
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastRefreshAt;
    private int _refreshCount;
    private string? _lastError;

    public TokenManagerActor(QwenAuthOptions options, CredentialRefresher refresher, TokenPublication publication, ILogger logger, ICredentialChangeNotifier? notifier = null)
    {
        _options = options;
        _refresher = refresher;
        _publication = publication;
        _logger = logger;
        _notifier = notifier;

        // A restarted instance carries on counting.
        var previous = publication.Current.Snapshot;
        _refreshCount = previous.RefreshCount;
        _lastRefreshAt = previous.LastRefreshAt;
    }

    private DateTimeOffset Now => Context.Time.GetUtcNow();

    protected override async ValueTask PreStart()
    {
        Context.Timers.StartPeriodicTimer(CheckStoreTimer, TokenManagerMessage.CheckStore.Instance, _options.CredentialCheckInterval);
        var self = Self;
        _subscription = _notifier?.Subscribe(changed => self.Tell(new TokenManagerMessage.StoreChanged(changed)));
        var stored = await LoadAsync().ConfigureAwait(false);
        if (stored is null)
        {
            AuthLog.NoCredential(_logger, _options.AccountName, _refresher.Store.Location);
            GoTo(AuthState.NoCredential);
        }
        else
        {
            AuthLog.CredentialLoaded(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
            Adopt(stored);
        }
    }

    protected override ValueTask PostStop()
    {
        _subscription?.Dispose();
        _subscription = null;
        _refreshCancel?.Cancel();
        _refreshCancel?.Dispose();
        _refreshCancel = null;
        return default;
    }

    protected override ValueTask Receive(TokenManagerMessage message) => OnNoCredential(message);

    private async ValueTask OnNoCredential(TokenManagerMessage message)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken or TokenManagerMessage.RenewAfterUnauthorized:
                // Cheap when nothing changed; lets a login made by the CLI count at once.
                if (await LoadAsync().ConfigureAwait(false) is { } found)
                {
                    Adopt(found);
                    await OnValid(message).ConfigureAwait(false);
                    return;
                }

                Fail(message, new AuthRequiredException($"No Qwen credential in {_refresher.Store.Location}; a login is required."));
                return;
            case TokenManagerMessage.CheckStore:
                if (await LoadAsync().ConfigureAwait(false) is { } appeared)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, appeared.AccessTokenHint, appeared.ExpiresAt);
                    Adopt(appeared);
                }

                return;
            case TokenManagerMessage.Reload reload:
                if (await LoadAsync().ConfigureAwait(false) is { } loaded)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, loaded.AccessTokenHint, loaded.ExpiresAt);
                    Adopt(loaded);
                }

                reload.Reply.TrySuccess(_publication.Current.Snapshot);
                return;
            case TokenManagerMessage.StoreChanged changed:
                AuthLog.CredentialChanged(_logger, _options.AccountName, changed.Credentials.AccessTokenHint, changed.Credentials.ExpiresAt);
                Adopt(changed.Credentials);
                return;
        }
    }

    private async ValueTask OnValid(TokenManagerMessage message)
    {
        var credentials = _credentials!;
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                if (credentials.IsValidFor(Now, MinimumLifetime))
                {
                    get.Reply.TrySuccess(_token!);
                    if (!credentials.IsValidFor(Now, _options.RefreshBuffer) && Now >= _notBefore)
                    {
                        StartRefresh("ahead of expiry", waiter: null);
                    }
                }
                else if (Now < _notBefore)
                {
                    get.Reply.TryFailure(RefreshFailed());
                }
                else
                {
                    StartRefresh("expired", get.Reply);
                }

                return;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                if (renew.Rejected.Value != credentials.AccessToken && credentials.IsValidFor(Now, TimeSpan.Zero))
                {
                    renew.Reply.TrySuccess(_token!);
                }
                else if (Now < _notBefore)
                {
                    renew.Reply.TryFailure(RefreshFailed());
                }
                else
                {
                    StartRefresh("rejected by the upstream", renew.Reply);
                }

                return;
            case TokenManagerMessage.RefreshDue:
                if (credentials.IsValidFor(Now, _options.RefreshBuffer))
                {
                    ScheduleRefresh();
                }
                else if (Now < _notBefore)
                {
                    Context.Timers.StartSingleTimer(RefreshTimer, TokenManagerMessage.RefreshDue.Instance, _notBefore - Now);
                }
                else
                {
                    StartRefresh(_failures == 0 ? "ahead of expiry" : "retry", waiter: null);
                }

                return;
            case TokenManagerMessage.CheckStore:
                AdoptIfNewer(await LoadAsync().ConfigureAwait(false));
                return;
            case TokenManagerMessage.StoreChanged changed:
                AdoptIfNewer(changed.Credentials);
                return;
            case TokenManagerMessage.Reload reload:
                // A login just stored this credential: it wins even when it expires sooner.
                if (await LoadAsync().ConfigureAwait(false) is { } stored && stored.AccessToken != credentials.AccessToken)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
                    Adopt(stored);
                }

                reload.Reply.TrySuccess(_publication.Current.Snapshot);
                return;
        }
    }

    private async ValueTask OnRefreshing(TokenManagerMessage message)
    {
        var credentials = _credentials!;
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                if (credentials.IsValidFor(Now, MinimumLifetime))
                {
                    get.Reply.TrySuccess(_token!);
                }
                else
                {
                    _waiters.Add(get.Reply);
                }

                return;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                if (renew.Rejected.Value != credentials.AccessToken && credentials.IsValidFor(Now, TimeSpan.Zero))
                {
                    renew.Reply.TrySuccess(_token!);
                }
                else
                {
                    _waiters.Add(renew.Reply);
                }

                return;
            case TokenManagerMessage.RefreshFinished finished when finished.Attempt == _attempt:
                Finish(finished.Outcome);
                return;
            case TokenManagerMessage.Reload reload:
                // A login finished while a refresh of the old credential runs: the login wins.
                if (await LoadAsync().ConfigureAwait(false) is { } stored && stored.AccessToken != credentials.AccessToken)
                {
                    CancelRefresh();
                    AuthLog.CredentialChanged(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
                    Adopt(stored);
                    AnswerWaiters();
                }

                reload.Reply.TrySuccess(_publication.Current.Snapshot);
                return;
        }
    }

    private async ValueTask OnDead(TokenManagerMessage message)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken or TokenManagerMessage.RenewAfterUnauthorized:
                Fail(message, DeadError());
                return;
            case TokenManagerMessage.CheckStore:
                ReviveIfReplaced(await LoadAsync().ConfigureAwait(false));
                return;
            case TokenManagerMessage.StoreChanged changed:
                ReviveIfReplaced(changed.Credentials);
                return;
            case TokenManagerMessage.Reload reload:
                ReviveIfReplaced(await LoadAsync().ConfigureAwait(false));
                reload.Reply.TrySuccess(_publication.Current.Snapshot);
                return;
        }
    }

    private void StartRefresh(string reason, Reply<AccessToken>? waiter)
    {
        if (waiter is not null)
        {
            _waiters.Add(waiter);
        }

        var attempt = ++_attempt;
        var current = _credentials!;
        var cancel = new CancellationTokenSource();
        _refreshCancel = cancel;
        Context.Timers.Cancel(RefreshTimer);
        AuthLog.RefreshStarted(_logger, _options.AccountName, reason, current.AccessTokenHint);
        GoTo(AuthState.Refreshing);

        var self = Self;
        var refresher = _refresher;
        _ = Task.Run(
            async () =>
            {
                RefreshOutcome outcome;
                try
                {
                    outcome = await refresher.RefreshAsync(current, cancel.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    outcome = new RefreshOutcome(RefreshOutcomeKind.Transient, null, $"The refresh failed: {ex.GetType().Name}");
                }

                self.Tell(new TokenManagerMessage.RefreshFinished(attempt, outcome));
            },
            CancellationToken.None);
    }

    private void Finish(RefreshOutcome outcome)
    {
        _refreshCancel?.Dispose();
        _refreshCancel = null;
        switch (outcome.Kind)
        {
            case RefreshOutcomeKind.Refreshed:
            case RefreshOutcomeKind.Adopted:
                var fresh = outcome.Credentials!;
                if (outcome.Kind == RefreshOutcomeKind.Refreshed)
                {
                    _refreshCount++;
                    _lastRefreshAt = Now;
                    AuthLog.Refreshed(_logger, _options.AccountName, fresh.AccessTokenHint, fresh.ExpiresAt);
                }
                else
                {
                    AuthLog.AdoptedFromStore(_logger, _options.AccountName, fresh.AccessTokenHint, fresh.ExpiresAt);
                }

                Adopt(fresh);
                AnswerWaiters();
                return;
            case RefreshOutcomeKind.Dead:
                _lastError = outcome.Message;
                AuthLog.CredentialDead(_logger, _options.AccountName, outcome.Message);
                Context.Timers.Cancel(RefreshTimer);
                GoTo(AuthState.Dead);
                FailWaiters(DeadError);
                return;
            default:
                _failures++;
                _lastError = outcome.Message;
                var delay = RetryDelay(_failures);
                _notBefore = Now + delay;
                var retries = _failures <= MaxBackgroundRetries;
                AuthLog.RefreshFailed(_logger, _options.AccountName, _failures, outcome.Message, retries ? delay.TotalSeconds : -1);
                if (retries)
                {
                    Context.Timers.StartSingleTimer(RefreshTimer, TokenManagerMessage.RefreshDue.Instance, delay);
                }

                GoTo(AuthState.Valid);
                FailWaiters(RefreshFailed);
                return;
        }
    }

    /// <summary>Takes <paramref name="credentials"/> as current: Valid, published, refresh timer set.</summary>
    private void Adopt(QwenCredentials credentials)
    {
        _credentials = credentials;
        _token = credentials.ToAccessToken(_options.ApiBaseOverride);
        _failures = 0;
        _notBefore = DateTimeOffset.MinValue;
        _lastError = null;
        GoTo(AuthState.Valid);
        ScheduleRefresh();
    }

    private void ScheduleRefresh()
    {
        var due = _credentials!.ExpiresAt - _options.RefreshBuffer - Now;
        Context.Timers.StartSingleTimer(RefreshTimer, TokenManagerMessage.RefreshDue.Instance, due > TimeSpan.Zero ? due : TimeSpan.Zero);
    }

    /// <summary>Takes a credential another process stored when it is a different token that lasts at least as long.</summary>
    private void AdoptIfNewer(QwenCredentials? stored)
    {
        if (stored is not null && stored.AccessToken != _credentials!.AccessToken && stored.ExpiresAt >= _credentials.ExpiresAt)
        {
            AuthLog.CredentialChanged(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
            Adopt(stored);
        }
    }

    private void ReviveIfReplaced(QwenCredentials? stored)
    {
        if (stored is not null && (stored.AccessToken != _credentials!.AccessToken || stored.RefreshToken != _credentials.RefreshToken))
        {
            AuthLog.Revived(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
            Adopt(stored);
        }
    }

    private async ValueTask<QwenCredentials?> LoadAsync()
    {
        try
        {
            return await _refresher.Store.LoadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AuthLog.CredentialLoadFailed(_logger, _refresher.Store.Location, ex.Message);
            return null;
        }
    }

    private void CancelRefresh()
    {
        _refreshCancel?.Cancel();
        _refreshCancel?.Dispose();
        _refreshCancel = null;
        _attempt++;
    }

    private void GoTo(AuthState state)
    {
        _state = state;
        Become(state switch
        {
            AuthState.Valid => OnValid,
            AuthState.Refreshing => OnRefreshing,
            AuthState.Dead => OnDead,
            _ => OnNoCredential,
        });
        Publish();
    }

    private void Publish()
    {
        var usable = _state is AuthState.Valid or AuthState.Refreshing;
        var snapshot = new AuthSnapshot(
            _options.AccountName,
            _state,
            _credentials?.ExpiresAt,
            _lastRefreshAt,
            _refreshCount,
            _credentials?.AccessTokenHint,
            _token?.ApiBase,
            _lastError);
        var freshUntil = usable && _credentials is not null ? _credentials.ExpiresAt - _options.RefreshBuffer : DateTimeOffset.MinValue;
        _publication.Publish(new TokenPublication.View(usable ? _token : null, freshUntil, snapshot));
    }

    private void AnswerWaiters()
    {
        foreach (var waiter in _waiters)
        {
            waiter.TrySuccess(_token!);
        }

        _waiters.Clear();
    }

    private void FailWaiters(Func<Exception> error)
    {
        foreach (var waiter in _waiters)
        {
            waiter.TryFailure(error());
        }

        _waiters.Clear();
    }

    private static void Fail(TokenManagerMessage message, Exception error)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                get.Reply.TryFailure(error);
                break;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                renew.Reply.TryFailure(error);
                break;
        }
    }

    private AuthRequiredException DeadError() =>
        new($"The Qwen credential was rejected ({_lastError ?? "refresh token no longer valid"}); a new login is required.");

    private TokenRefreshFailedException RefreshFailed() =>
        new($"The Qwen access token expired and could not be refreshed ({_lastError ?? "unknown error"}); retrying shortly.");

    private static TimeSpan RetryDelay(int failures)
    {
        var seconds = FirstRetryDelay.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 10));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelay.TotalSeconds));
    }
}
