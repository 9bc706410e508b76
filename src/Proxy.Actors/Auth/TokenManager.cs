using Akka.Actor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Cluster;

namespace Proxy.Actors.Auth;

/// <summary>
/// The request path's view of one OAuth account. <see cref="GetTokenAsync"/> answers from the
/// published token while it is fresh (valid beyond the refresh buffer) without touching the actor;
/// only otherwise it tells <see cref="TokenManagerActor"/>, which runs the one shared refresh, and
/// waits for the answer it carries (a task completed by the actor; no temporary actor per call).
/// </summary>
internal sealed class TokenManager : ITokenSource
{
    /// <summary>How long a caller waits for a refresh (lock waits and the token request included).</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromSeconds(90);

    private readonly IActorRef _actor;
    private readonly TokenPublication _publication;
    private readonly TimeProvider _time;
    private readonly ICredentialStore _store;
    private readonly TimeSpan _waitTimeout;
    private readonly ILogger _logger;

    private TokenManager(IActorRef actor, TokenPublication publication, TimeProvider time, ICredentialStore store, TimeSpan waitTimeout, ILogger logger)
    {
        _actor = actor;
        _publication = publication;
        _time = time;
        _store = store;
        _waitTimeout = waitTimeout;
        _logger = logger;
    }

    /// <summary>The account's state for health pages; never triggers a refresh.</summary>
    public AuthSnapshot Snapshot => _publication.Current.Snapshot;

    public IActorRef Actor => _actor;

    /// <summary>
    /// Spawns the account's actor (named <c>token-{AccountName}</c>) in <paramref name="system"/>.
    /// A <paramref name="notifier"/> (cluster mode) delivers credentials other instances stored at once;
    /// the store is also checked every <see cref="QwenAuthOptions.CredentialCheckInterval"/>.
    /// </summary>
    public static TokenManager Start(
        IActorRefFactory system,
        TimeProvider time,
        QwenAuthOptions options,
        ICredentialStore store,
        DeviceFlowClient client,
        ILoggerFactory? loggerFactory = null,
        TimeSpan? waitTimeout = null,
        ICredentialChangeNotifier? notifier = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<TokenManager>();
        var publication = new TokenPublication(AuthSnapshot.Initial(options.AccountName));
        var refresher = new CredentialRefresher(store, client, time, options.RefreshBuffer, logger);
        var actor = system.ActorOf(TokenManagerActor.Props(options, refresher, publication, time, logger, notifier), "token-" + options.AccountName);
        return new TokenManager(actor, publication, time, store, waitTimeout ?? DefaultWaitTimeout, logger);
    }

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        var view = _publication.Current;
        if (view.Token is { } token && _time.GetUtcNow() < view.FreshUntil)
        {
            return ValueTask.FromResult(token);
        }

        if (view.Snapshot.State == AuthState.Dead)
        {
            return ValueTask.FromException<AccessToken>(DeadError(view.Snapshot));
        }

        return new ValueTask<AccessToken>(WaitAsync<AccessToken>(reply => new TokenManagerMessage.GetToken(reply), cancellationToken));
    }

    public ValueTask<AccessToken> RenewAfterUnauthorizedAsync(AccessToken rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var view = _publication.Current;
        if (view.Token is { } token && token.Value != rejected.Value && _time.GetUtcNow() < view.FreshUntil)
        {
            return ValueTask.FromResult(token);
        }

        if (view.Snapshot.State == AuthState.Dead)
        {
            return ValueTask.FromException<AccessToken>(DeadError(view.Snapshot));
        }

        return new ValueTask<AccessToken>(WaitAsync<AccessToken>(reply => new TokenManagerMessage.RenewAfterUnauthorized(rejected, reply), cancellationToken));
    }

    /// <summary>Waits until the published snapshot satisfies <paramref name="condition"/> and returns it.</summary>
    public async Task<AuthSnapshot> WaitForAsync(Func<AuthSnapshot, bool> condition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        while (true)
        {
            var changed = _publication.Changed;
            var snapshot = _publication.Current.Snapshot;
            if (condition(snapshot))
            {
                return snapshot;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Re-reads the store now (e.g. after a login elsewhere) and returns the new state.</summary>
    public Task<AuthSnapshot> ReloadAsync(CancellationToken cancellationToken) =>
        WaitAsync<AuthSnapshot>(reply => new TokenManagerMessage.Reload(reply), cancellationToken);

    /// <summary>Stores the credential of a completed login (under the refresh lock) and revives the manager with it.</summary>
    public async Task<AuthSnapshot> AcceptLoginAsync(QwenCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        try
        {
            await _store.RunUnderRefreshLockAsync(
                async ct =>
                {
                    await _store.SaveAsync(credentials, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialLockTimeoutException)
        {
            // A fresh login must not be lost to a stuck lock; the write itself is atomic.
            AuthLog.LoginSavedWithoutLock(_logger, _store.Location);
            await _store.SaveAsync(credentials, cancellationToken).ConfigureAwait(false);
        }

        return await ReloadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Tells the actor a message carrying a task it completes, and waits for that task.</summary>
    private async Task<T> WaitAsync<T>(Func<TaskCompletionSource<T>, TokenManagerMessage> build, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _actor.Tell(build(reply), ActorRefs.NoSender);
        try
        {
            return await reply.Task.WaitAsync(_waitTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TokenRefreshFailedException($"No token within {_waitTimeout.TotalSeconds:F0} s: the refresh is taking too long.", ex);
        }
    }

    private static AuthRequiredException DeadError(AuthSnapshot snapshot) =>
        new($"The Qwen credential was rejected ({snapshot.LastError ?? "refresh token no longer valid"}); a new login is required.");
}
