using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Proxy.Actors.Cluster;

namespace Proxy.Actors.Auth;

/// <summary>What the token manager actor takes.</summary>
internal abstract record TokenManagerMessage
{
    private TokenManagerMessage()
    {
    }

    /// <summary>A caller needs a token and the published one is not fresh.</summary>
    public sealed record GetToken(TaskCompletionSource<AccessToken> Reply) : TokenManagerMessage;

    /// <summary>The upstream answered 401 to <paramref name="Rejected"/>.</summary>
    public sealed record RenewAfterUnauthorized(AccessToken Rejected, TaskCompletionSource<AccessToken> Reply) : TokenManagerMessage;

    /// <summary>Re-read the store now (a login just saved a credential); replies with the new snapshot.</summary>
    public sealed record Reload(TaskCompletionSource<AuthSnapshot> Reply) : TokenManagerMessage;

    /// <summary>Timer <paramref name="Generation"/>: time to refresh ahead of expiry, or to retry after a transient failure.</summary>
    public sealed record RefreshDue(long Generation) : TokenManagerMessage;

    /// <summary>Timer: look for a credential another process wrote.</summary>
    public sealed record CheckStore : TokenManagerMessage
    {
        public static readonly CheckStore Instance = new();
    }

    /// <summary>The store announced a newer credential (cluster mode: another instance refreshed, or a login).</summary>
    public sealed record StoreChanged(QwenCredentials Credentials) : TokenManagerMessage;

    /// <summary>The background refresh <paramref name="Attempt"/> ended.</summary>
    public sealed record RefreshFinished(long Attempt, RefreshOutcome Outcome) : TokenManagerMessage;

    /// <summary>The first look at the store, at start.</summary>
    public sealed record Loaded(QwenCredentials? Credentials) : TokenManagerMessage;
}

/// <summary>
/// Keeps one account's access token fresh. States: <see cref="AuthState.NoCredential"/>,
/// <see cref="AuthState.Valid"/>, <see cref="AuthState.Refreshing"/>, <see cref="AuthState.Dead"/>
/// (one behaviour each, after a first look at the store). Refreshes on a timer ahead of expiry; the
/// refresh runs as one task whose outcome comes back as a message (<c>PipeTo</c>), and every request
/// that needs a new token meanwhile is stashed and handled again once it ends (single flight).
/// Its timers run on the <see cref="TimeProvider"/> it reads, so it has one clock; each carries a
/// generation, so a timer replaced after its message was queued is ignored.
/// A rejected refresh token ends in Dead (no retries) until a new
/// login; network failures back off (1 s doubling to 60 s, at most
/// <see cref="MaxBackgroundRetries"/> retries on its own) and meanwhile fail fast.
/// Every change is published to <see cref="TokenPublication"/> for the lock-free request path.
/// </summary>
internal sealed class TokenManagerActor : ReceiveActor, IWithStash
{
    /// <summary>A token that expires sooner than this is not handed out; the caller waits for the refresh.</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    /// <summary>Transient failures in a row after which only demand (a request needing a token) triggers another try.</summary>
    public const int MaxBackgroundRetries = 10;

    private readonly QwenAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly CredentialRefresher _refresher;
    private readonly TokenPublication _publication;
    private readonly ILogger _logger;
    private readonly ICredentialChangeNotifier? _notifier;
    private IDisposable? _subscription;
    private ITimer? _refreshTimer;
    private ITimer? _checkStoreTimer;
    private long _refreshGeneration;
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

    public TokenManagerActor(QwenAuthOptions options, CredentialRefresher refresher, TokenPublication publication, TimeProvider time, ILogger logger, ICredentialChangeNotifier? notifier = null)
    {
        _options = options;
        _time = time;
        _refresher = refresher;
        _publication = publication;
        _logger = logger;
        _notifier = notifier;

        // A restarted instance carries on counting.
        var previous = publication.Current.Snapshot;
        _refreshCount = previous.RefreshCount;
        _lastRefreshAt = previous.LastRefreshAt;
        Starting();
    }

    public IStash Stash { get; set; } = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The actor of one account (named by the caller).</summary>
    public static Props Props(QwenAuthOptions options, CredentialRefresher refresher, TokenPublication publication, TimeProvider time, ILogger logger, ICredentialChangeNotifier? notifier) =>
        Akka.Actor.Props.Create(() => new TokenManagerActor(options, refresher, publication, time, logger, notifier));

    protected override void PreStart()
    {
        var self = Self;
        _checkStoreTimer = _time.CreateTimer(
            static state => ((IActorRef)state!).Tell(TokenManagerMessage.CheckStore.Instance, ActorRefs.NoSender),
            self,
            _options.CredentialCheckInterval,
            _options.CredentialCheckInterval);
        if (_notifier is not null)
        {
            // Credential-change events are a long-lived flow, one per account for the actor's life:
            // a burst (a reconnect re-reads, several instances refresh) is conflated to the newest
            // credential while the actor is busy, so it never works through stale ones.
            var changes = Source.Queue<QwenCredentials>(16, OverflowStrategy.DropHead)
                .Conflate((_, newest) => newest)
                .SelectAsync(1, changed => self.Ask<Done>(new TokenManagerMessage.StoreChanged(changed), TimeSpan.FromMinutes(1)))
                .To(Sink.Ignore<Done>())
                .Run(Context.Materializer());
            _subscription = _notifier.Subscribe(changed => _ = changes.OfferAsync(changed));
        }

        LoadAsync().PipeTo(self, success: stored => new TokenManagerMessage.Loaded(stored));
    }

    protected override void PostStop()
    {
        _subscription?.Dispose();
        _subscription = null;
        _checkStoreTimer?.Dispose();
        _refreshTimer?.Dispose();
        _refreshCancel?.Cancel();
        _refreshCancel?.Dispose();
        _refreshCancel = null;
    }

    // Before the first look at the store: everything waits for it.
    private void Starting()
    {
        Receive<TokenManagerMessage.Loaded>(loaded =>
        {
            if (loaded.Credentials is not { } stored)
            {
                AuthLog.NoCredential(_logger, _options.AccountName, _refresher.Store.Location);
                GoTo(AuthState.NoCredential);
            }
            else
            {
                AuthLog.CredentialLoaded(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
                Adopt(stored);
            }

            Stash.UnstashAll();
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private async Task OnNoCredential(TokenManagerMessage message)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken or TokenManagerMessage.RenewAfterUnauthorized:
                // Cheap when nothing changed; lets a login made by the CLI count at once.
                if (await LoadAsync() is { } found)
                {
                    Adopt(found);
                    await OnValid(message);
                    return;
                }

                Fail(message, new AuthRequiredException($"No Qwen credential in {_refresher.Store.Location}; a login is required."));
                return;
            case TokenManagerMessage.CheckStore:
                if (await LoadAsync() is { } appeared)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, appeared.AccessTokenHint, appeared.ExpiresAt);
                    Adopt(appeared);
                }

                return;
            case TokenManagerMessage.Reload reload:
                if (await LoadAsync() is { } loaded)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, loaded.AccessTokenHint, loaded.ExpiresAt);
                    Adopt(loaded);
                }

                reload.Reply.TrySetResult(_publication.Current.Snapshot);
                return;
            case TokenManagerMessage.StoreChanged changed:
                AuthLog.CredentialChanged(_logger, _options.AccountName, changed.Credentials.AccessTokenHint, changed.Credentials.ExpiresAt);
                Adopt(changed.Credentials);
                Acknowledge();
                return;
        }
    }

    private async Task OnValid(TokenManagerMessage message)
    {
        var credentials = _credentials!;
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                if (credentials.IsValidFor(Now, MinimumLifetime))
                {
                    get.Reply.TrySetResult(_token!);
                    if (!credentials.IsValidFor(Now, _options.RefreshBuffer) && Now >= _notBefore)
                    {
                        StartRefresh("ahead of expiry");
                    }
                }
                else if (Now < _notBefore)
                {
                    get.Reply.TrySetException(RefreshFailed());
                }
                else
                {
                    StartRefresh("expired");
                    Stash.Stash(); // answered again once the refresh ends
                }

                return;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                if (renew.Rejected.Value != credentials.AccessToken && credentials.IsValidFor(Now, TimeSpan.Zero))
                {
                    renew.Reply.TrySetResult(_token!);
                }
                else if (Now < _notBefore)
                {
                    renew.Reply.TrySetException(RefreshFailed());
                }
                else
                {
                    StartRefresh("rejected by the upstream");
                    Stash.Stash();
                }

                return;
            case TokenManagerMessage.RefreshDue due when due.Generation == _refreshGeneration:
                if (credentials.IsValidFor(Now, _options.RefreshBuffer))
                {
                    ScheduleRefresh();
                }
                else if (Now < _notBefore)
                {
                    StartRefreshTimer(_notBefore - Now);
                }
                else
                {
                    StartRefresh(_failures == 0 ? "ahead of expiry" : "retry");
                }

                return;
            case TokenManagerMessage.CheckStore:
                AdoptIfNewer(await LoadAsync());
                return;
            case TokenManagerMessage.StoreChanged changed:
                AdoptIfNewer(changed.Credentials);
                Acknowledge();
                return;
            case TokenManagerMessage.Reload reload:
                // A login just stored this credential: it wins even when it expires sooner.
                if (await LoadAsync() is { } stored && stored.AccessToken != credentials.AccessToken)
                {
                    AuthLog.CredentialChanged(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
                    Adopt(stored);
                }

                reload.Reply.TrySetResult(_publication.Current.Snapshot);
                return;
        }
    }

    private async Task OnRefreshing(TokenManagerMessage message)
    {
        var credentials = _credentials!;
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                if (credentials.IsValidFor(Now, MinimumLifetime))
                {
                    get.Reply.TrySetResult(_token!);
                }
                else
                {
                    Stash.Stash(); // waits for the one refresh under way
                }

                return;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                if (renew.Rejected.Value != credentials.AccessToken && credentials.IsValidFor(Now, TimeSpan.Zero))
                {
                    renew.Reply.TrySetResult(_token!);
                }
                else
                {
                    Stash.Stash();
                }

                return;
            case TokenManagerMessage.RefreshFinished finished when finished.Attempt == _attempt:
                Finish(finished.Outcome);
                return;
            case TokenManagerMessage.StoreChanged:
                // The refresh under way decides; it reads the store under the lock.
                Acknowledge();
                return;
            case TokenManagerMessage.Reload reload:
                // A login finished while a refresh of the old credential runs: the login wins.
                if (await LoadAsync() is { } stored && stored.AccessToken != credentials.AccessToken)
                {
                    CancelRefresh();
                    AuthLog.CredentialChanged(_logger, _options.AccountName, stored.AccessTokenHint, stored.ExpiresAt);
                    Adopt(stored);
                    Stash.UnstashAll();
                }

                reload.Reply.TrySetResult(_publication.Current.Snapshot);
                return;
        }
    }

    private async Task OnDead(TokenManagerMessage message)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken or TokenManagerMessage.RenewAfterUnauthorized:
                Fail(message, DeadError());
                return;
            case TokenManagerMessage.CheckStore:
                ReviveIfReplaced(await LoadAsync());
                return;
            case TokenManagerMessage.StoreChanged changed:
                ReviveIfReplaced(changed.Credentials);
                Acknowledge();
                return;
            case TokenManagerMessage.Reload reload:
                ReviveIfReplaced(await LoadAsync());
                reload.Reply.TrySetResult(_publication.Current.Snapshot);
                return;
        }
    }

    /// <summary>Lets the credential-change flow send the next change.</summary>
    private void Acknowledge() => Sender.Tell(Done.Instance);

    private void StartRefresh(string reason)
    {
        var attempt = ++_attempt;
        var current = _credentials!;
        var cancel = new CancellationTokenSource();
        _refreshCancel = cancel;
        CancelRefreshTimer();
        AuthLog.RefreshStarted(_logger, _options.AccountName, reason, current.AccessTokenHint);
        GoTo(AuthState.Refreshing);

        // The one refresh: its outcome comes back as a message; a cancelled one is of an old attempt.
        _refresher.RefreshAsync(current, cancel.Token).PipeTo(
            Self,
            success: outcome => new TokenManagerMessage.RefreshFinished(attempt, outcome),
            failure: ex => new TokenManagerMessage.RefreshFinished(
                ex is OperationCanceledException ? -1 : attempt,
                new RefreshOutcome(RefreshOutcomeKind.Transient, null, $"The refresh failed: {ex.GetType().Name}")));
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
                Stash.UnstashAll();
                return;
            case RefreshOutcomeKind.Dead:
                _lastError = outcome.Message;
                AuthLog.CredentialDead(_logger, _options.AccountName, outcome.Message);
                CancelRefreshTimer();
                GoTo(AuthState.Dead);
                Stash.UnstashAll(); // each is told the credential is dead
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
                    StartRefreshTimer(delay);
                }

                GoTo(AuthState.Valid);
                Stash.UnstashAll(); // each is told the refresh failed (the retry waits for its delay)
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
        StartRefreshTimer(_credentials!.ExpiresAt - _options.RefreshBuffer - Now);
    }

    private void StartRefreshTimer(TimeSpan due)
    {
        CancelRefreshTimer();
        var message = new TokenManagerMessage.RefreshDue(_refreshGeneration);
        var self = Self;
        _refreshTimer = _time.CreateTimer(
            state => self.Tell(state, ActorRefs.NoSender),
            message,
            due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Timeout.InfiniteTimeSpan);
    }

    private void CancelRefreshTimer()
    {
        _refreshTimer?.Dispose();
        _refreshTimer = null;
        _refreshGeneration++;
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

    private async Task<QwenCredentials?> LoadAsync()
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
        Func<TokenManagerMessage, Task> behaviour = state switch
        {
            AuthState.Valid => OnValid,
            AuthState.Refreshing => OnRefreshing,
            AuthState.Dead => OnDead,
            _ => OnNoCredential,
        };
        Become(() => ReceiveAsync(behaviour));
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

    private static void Fail(TokenManagerMessage message, Exception error)
    {
        switch (message)
        {
            case TokenManagerMessage.GetToken get:
                get.Reply.TrySetException(error);
                break;
            case TokenManagerMessage.RenewAfterUnauthorized renew:
                renew.Reply.TrySetException(error);
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
