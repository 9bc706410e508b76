using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Proxy.Actors.Auth;

namespace Proxy.Actors.Cluster;

/// <summary>
/// One account's credential in PostgreSQL, shared by every instance of the cluster.
/// <list type="bullet">
/// <item>A refresh runs inside a transaction holding the account's advisory lock
/// (<c>pg_advisory_xact_lock</c>): inside it <see cref="LoadAsync"/> re-reads the row, and
/// <see cref="SaveAsync"/> writes it with version + 1 and a <c>NOTIFY</c> that the other instances
/// receive at commit. No database, no lock, no refresh.</item>
/// <item>A write outside a refresh (login, <c>/auth</c>) takes the same lock, so it never interleaves
/// with a refresh, and the last writer wins whole: the row is always one consistent credential.</item>
/// <item>Reads are served from memory while the listener is connected (it hears every change);
/// otherwise from the database, and when that cannot answer within
/// <see cref="ClusterOptions.ReadTimeout"/>, from the last credential this instance had.</item>
/// <item>A refreshed credential whose write was lost with the connection is kept and served, and
/// written when the database is back, unless someone wrote a newer one meanwhile.</item>
/// <item>When the table holds no credential for the account, the CLI's credential file is imported once.</item>
/// </list>
/// </summary>
internal sealed class PostgresCredentialStore : ICredentialStore, ICredentialChangeNotifier, INotificationHandler, IDisposable
{
    public const string DefaultAccount = "qwen";

    private static readonly AsyncLocal<LockScope?> CurrentScope = new();

    private readonly ClusterDatabase _db;
    private readonly string? _importFile;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly object _raiseGate = new();
    private readonly IDisposable _listening;
    private ImmutableArray<Action<QwenCredentials>> _subscribers = [];
    private CredentialRow? _known;
    private Pending? _pending;
    private volatile bool _fresh;
    private bool _servingStale;
    private Task? _ready;
    private long _rowReads;
    private long _raisedVersion;

    public PostgresCredentialStore(ClusterDatabase db, string account = DefaultAccount, string? importFile = null, ILogger<PostgresCredentialStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        _db = db;
        Account = account;
        _importFile = importFile;
        _logger = logger ?? NullLogger<PostgresCredentialStore>.Instance;
        _listening = db.Listener.Subscribe(this);
    }

    public string Account { get; }

    public string Location => $"{_db.Location} (account {Account})";

    /// <summary>Reads of the row from the database so far (a served-from-memory load reads none).</summary>
    internal long RowReads => Interlocked.Read(ref _rowReads);

    /// <summary>The version of the newest row this instance has seen or written (0 for none).</summary>
    internal long KnownVersion
    {
        get
        {
            lock (_gate)
            {
                return _known?.Version ?? 0;
            }
        }
    }

    /// <summary>True while a refreshed credential waits to be written back.</summary>
    internal bool HasUnsavedCredential
    {
        get
        {
            lock (_gate)
            {
                return _pending is not null;
            }
        }
    }

    private QwenCredentials? Current
    {
        get
        {
            lock (_gate)
            {
                return _pending?.Credentials ?? _known?.Credentials;
            }
        }
    }

    /// <summary>
    /// Starts listening, brings the schema up to date, imports the credential file if the table has
    /// none for the account, and reads the row. Throws when the database cannot be reached.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _db.Start();
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (!_fresh)
        {
            await ReadAndObserveAsync(_db.DataSource, raise: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public IDisposable Subscribe(Action<QwenCredentials> onChanged)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        lock (_gate)
        {
            _subscribers = _subscribers.Add(onChanged);
        }

        return new Subscription(this, onChanged);
    }

    public async ValueTask<QwenCredentials?> LoadAsync(CancellationToken cancellationToken)
    {
        if (CurrentScope.Value is { } scope && ReferenceEquals(scope.Store, this))
        {
            return await LoadUnderLockAsync(scope, cancellationToken).ConfigureAwait(false);
        }

        _db.Start();
        if (_fresh)
        {
            return Current;
        }

        using var timeout = new CancellationTokenSource(_db.Options.ReadTimeout, _db.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await EnsureReadyAsync(linked.Token).ConfigureAwait(false);
            if (HasUnsavedCredential)
            {
                await WriteBackAsync(linked.Token).ConfigureAwait(false);
            }

            await ReadAndObserveAsync(_db.DataSource, raise: true, linked.Token).ConfigureAwait(false);
            lock (_gate)
            {
                _servingStale = false;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ClusterDatabase.IsUnavailable(ex) || ex is OperationCanceledException))
        {
            var current = Current;
            bool first;
            lock (_gate)
            {
                first = !_servingStale;
                _servingStale = true;
            }

            if (first)
            {
                ClusterLog.ServingLastKnown(_logger, Account, current?.AccessTokenHint ?? "none", ex.GetType().Name);
            }
        }

        return Current;
    }

    public async ValueTask SaveAsync(QwenCredentials credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        if (CurrentScope.Value is { } scope && ReferenceEquals(scope.Store, this))
        {
            await SaveUnderLockAsync(scope, credentials).ConfigureAwait(false);
            return;
        }

        // A login or /auth: the same lock as a refresh, so the two never interleave. A lock that
        // stays taken must not cost a fresh login: then the row is written without it (one
        // statement, so still one consistent credential).
        _db.Start();
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlConnection connection;
        NpgsqlTransaction transaction;
        try
        {
            (connection, transaction) = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialLockTimeoutException)
        {
            ClusterLog.LoginWrittenWithoutLock(_logger, Account);
            connection = await _db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            var row = await CredentialTable.WriteAsync(connection, transaction, Account, credentials, _db.InstanceId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _pending = null; // a new login supersedes a refresh that never reached the table
            }

            ClusterLog.CredentialWritten(_logger, Account, row.Version, row.Credentials.AccessTokenHint, row.Credentials.ExpiresAt);
            Observe(row, raise: true);
        }
    }

    public async Task<T> RunUnderRefreshLockAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(action);
        _db.Start();
        NpgsqlConnection connection;
        NpgsqlTransaction transaction;
        try
        {
            await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
            (connection, transaction) = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterDatabase.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            ClusterLog.RefreshLockUnavailable(_logger, Account, ex.GetType().Name, ex.Message);
            throw new CredentialLockTimeoutException($"The cluster database at {_db.Location} cannot be reached; the credential is not refreshed without its lock.", ex);
        }

        var scope = new LockScope(this, connection, transaction);
        CurrentScope.Value = scope;
        try
        {
            T result = default!;
            ExceptionDispatchInfo? failure = null;
            try
            {
                result = await action(cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Rethrown below, after what was written is committed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(ex);
            }

            await FinishAsync(scope).ConfigureAwait(false);
            if (failure is null)
            {
                return result;
            }

            if (scope.Broken && ClusterDatabase.IsUnavailable(failure.SourceException))
            {
                throw new CredentialLockTimeoutException($"The connection to the cluster database at {_db.Location} broke while holding the refresh lock.", failure.SourceException);
            }

            failure.Throw();
            throw new InvalidOperationException("Unreachable.");
        }
        finally
        {
            CurrentScope.Value = null;
            await transaction.DisposeAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _listening.Dispose();

    async Task INotificationHandler.OnConnectedAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (HasUnsavedCredential)
        {
            await WriteBackAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReadAndObserveAsync(_db.DataSource, raise: true, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _servingStale = false;
        }

        _fresh = true;
    }

    void INotificationHandler.OnDisconnected() => _fresh = false;

    async Task INotificationHandler.OnNotificationAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        if (channel != ClusterSchema.CredentialsChannel
            || !CredentialTable.TryParsePayload(payload, out var version, out var account)
            || account != Account
            || version <= KnownVersion)
        {
            return;
        }

        try
        {
            await ReadAndObserveAsync(_db.DataSource, raise: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _fresh = false; // the next load reads the table itself
            throw;
        }
    }

    /// <summary>Single flight: schema, then the one-time import; a failed attempt is retried by the next caller.</summary>
    private Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        Task ready;
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = ReadyAsync();
            }

            ready = _ready;
        }

        return ready.IsCompletedSuccessfully ? ready : ready.WaitAsync(cancellationToken);
    }

    private async Task ReadyAsync()
    {
        await _db.EnsureSchemaAsync(CancellationToken.None).ConfigureAwait(false);
        if (_importFile is not null)
        {
            await ImportOnceAsync(_importFile, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ImportOnceAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }

        var credentials = CredentialFileFormat.Parse(bytes);
        if (credentials is null)
        {
            ClusterLog.ImportFileUnreadable(_logger, path);
            return;
        }

        var (connection, transaction) = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            if (await CredentialTable.ReadAsync(connection, transaction, Account, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            var row = await CredentialTable.WriteAsync(connection, transaction, Account, credentials, $"import {_db.InstanceId}", cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            ClusterLog.CredentialImported(_logger, path, Account, row.Credentials.AccessTokenHint, row.Credentials.ExpiresAt);
            Observe(row, raise: true);
        }
    }

    private async Task<QwenCredentials?> LoadUnderLockAsync(LockScope scope, CancellationToken cancellationToken)
    {
        CredentialRow? row;
        try
        {
            row = await CredentialTable.ReadAsync(scope.Connection, scope.Transaction, Account, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterDatabase.IsUnavailable(ex))
        {
            scope.Broken = true;
            throw;
        }

        Interlocked.Increment(ref _rowReads);
        scope.ReadVersion ??= row?.Version ?? 0;
        var pending = TakePendingFor(row);
        if (pending is not null)
        {
            // A refresh of ours whose write was lost: nobody wrote since, so it is the credential.
            await SaveUnderLockAsync(scope, pending.Credentials).ConfigureAwait(false);
            return pending.Credentials;
        }

        if (row is not null)
        {
            Observe(row, raise: false);
        }

        return row?.Credentials;
    }

    private async Task SaveUnderLockAsync(LockScope scope, QwenCredentials credentials)
    {
        if (!scope.Broken)
        {
            try
            {
                // Not cancellable: the refresh token may have rotated, this write must not be dropped halfway.
                scope.Written = await CredentialTable.WriteAsync(scope.Connection, scope.Transaction, Account, credentials, _db.InstanceId, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ClusterDatabase.IsUnavailable(ex))
            {
                scope.Broken = true;
                ClusterLog.RefreshSaveDeferred(_logger, Account, credentials.AccessTokenHint, ex.GetType().Name);
            }
        }

        scope.Written = null;
        KeepUnsaved(CredentialTable.Normalize(credentials), scope.ReadVersion ?? KnownVersion);
    }

    private async Task FinishAsync(LockScope scope)
    {
        if (scope.Written is not { } written)
        {
            return; // nothing written: disposing the transaction rolls back and releases the lock
        }

        try
        {
            await scope.Transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ClusterDatabase.IsUnavailable(ex))
        {
            scope.Broken = true;
            ClusterLog.RefreshSaveDeferred(_logger, Account, written.Credentials.AccessTokenHint, ex.GetType().Name);
            KeepUnsaved(written.Credentials, scope.ReadVersion ?? KnownVersion);
            return;
        }

        lock (_gate)
        {
            if (_pending is not null && _pending.Credentials == written.Credentials)
            {
                _pending = null;
            }
        }

        ClusterLog.CredentialWritten(_logger, Account, written.Version, written.Credentials.AccessTokenHint, written.Credentials.ExpiresAt);
        Observe(written, raise: false);
    }

    /// <summary>After a reconnect: writes a kept refresh back unless the row moved on meanwhile.</summary>
    private async Task WriteBackAsync(CancellationToken cancellationToken)
    {
        var (connection, transaction) = await OpenLockedAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            var row = await CredentialTable.ReadAsync(connection, transaction, Account, cancellationToken).ConfigureAwait(false);
            var pending = TakePendingFor(row);
            if (pending is null)
            {
                return;
            }

            var written = await CredentialTable.WriteAsync(connection, transaction, Account, pending.Credentials, _db.InstanceId, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (ReferenceEquals(_pending, pending))
                {
                    _pending = null;
                }
            }

            ClusterLog.UnsavedCredentialWritten(_logger, Account, written.Version, written.Credentials.AccessTokenHint);
            Observe(written, raise: false);
        }
    }

    /// <summary>The kept refresh, if it is still to be written over <paramref name="row"/>; drops it when the row moved on.</summary>
    private Pending? TakePendingFor(CredentialRow? row)
    {
        lock (_gate)
        {
            if (_pending is not { } pending)
            {
                return null;
            }

            if ((row?.Version ?? 0) == pending.BaseVersion)
            {
                return pending;
            }

            _pending = null;
            ClusterLog.UnsavedCredentialDropped(_logger, Account, pending.Credentials.AccessTokenHint, row?.Version ?? 0);
            return null;
        }
    }

    private void KeepUnsaved(QwenCredentials credentials, long baseVersion)
    {
        lock (_gate)
        {
            _pending = new Pending(credentials, baseVersion);
        }

        _fresh = false;
    }

    private async Task ReadAndObserveAsync(NpgsqlDataSource source, bool raise, CancellationToken cancellationToken)
    {
        var row = await CredentialTable.ReadAsync(source, Account, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _rowReads);
        if (row is not null)
        {
            Observe(row, raise);
        }
    }

    /// <summary>Keeps <paramref name="row"/> when it is newer than what this instance knows, and tells the subscribers.</summary>
    private void Observe(CredentialRow row, bool raise)
    {
        lock (_gate)
        {
            if (_known is not null && row.Version <= _known.Version)
            {
                return;
            }

            _known = row;
            if (_pending is { } pending && row.Version > pending.BaseVersion)
            {
                _pending = null;
                if (pending.Credentials != row.Credentials)
                {
                    ClusterLog.UnsavedCredentialDropped(_logger, Account, pending.Credentials.AccessTokenHint, row.Version);
                }
            }
        }

        if (raise)
        {
            Raise(row);
        }
    }

    /// <summary>Tells the subscribers, in version order: a slower thread never announces an older row after a newer one.</summary>
    private void Raise(CredentialRow row)
    {
        lock (_raiseGate)
        {
            if (row.Version <= _raisedVersion)
            {
                return;
            }

            _raisedVersion = row.Version;
            if (row.UpdatedBy != _db.InstanceId)
            {
                ClusterLog.CredentialChanged(_logger, Account, row.Version, row.Credentials.AccessTokenHint, row.UpdatedBy);
            }

            foreach (var subscriber in _subscribers)
            {
                try
                {
                    subscriber(row.Credentials);
                }
#pragma warning disable CA1031 // A subscriber's failure must not stop the others.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    ClusterLog.HandlerFailed(_logger, nameof(ICredentialChangeNotifier), ex.GetType().Name, ex.Message);
                }
            }
        }
    }

    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> OpenLockedAsync(CancellationToken cancellationToken)
    {
        var connection = await _db.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CredentialTable.LockAsync(connection, transaction, Account, _db.Options.LockTimeout, cancellationToken).ConfigureAwait(false);
                return (connection, transaction);
            }
            catch
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (PostgresException ex) when (ex.SqlState == CredentialTable.LockNotAvailable)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            ClusterLog.RefreshLockTimedOut(_logger, Account, _db.Options.LockTimeout);
            throw new CredentialLockTimeoutException($"The credential lock of account {Account} stayed held by another instance for {_db.Options.LockTimeout.TotalSeconds:0.###} s.", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Unsubscribe(Action<QwenCredentials> onChanged)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Remove(onChanged);
        }
    }

    private sealed record Pending(QwenCredentials Credentials, long BaseVersion);

    private sealed class LockScope(PostgresCredentialStore store, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        public PostgresCredentialStore Store { get; } = store;

        public NpgsqlConnection Connection { get; } = connection;

        public NpgsqlTransaction Transaction { get; } = transaction;

        /// <summary>The row's version when first read under the lock (0: no row).</summary>
        public long? ReadVersion { get; set; }

        /// <summary>The last row written in this transaction, committed when the action ends.</summary>
        public CredentialRow? Written { get; set; }

        /// <summary>The connection failed: nothing more goes through it.</summary>
        public bool Broken { get; set; }
    }

    private sealed class Subscription(PostgresCredentialStore owner, Action<QwenCredentials> onChanged) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(onChanged);
            }
        }
    }
}
