using Qwen.Emulator.OAuth;

namespace Qwen.Emulator;

/// <summary>What the emulator has seen and issued; thread-safe. Tests read and steer it directly.</summary>
public sealed class EmulatorState
{
    private readonly EmulatorOptions _options;
    private readonly Lock _requestsGate = new();
    private readonly Queue<RequestRecord> _requests = new();
    private readonly List<(long Id, TaskCompletionSource<RequestRecord> Waiter)> _requestWaiters = [];
    private int _refreshCount;
    private int _loginCount;
    private int _chatRequestCount;
    private int _deviceCodeCount;
    private int _activeChatRequests;

    internal EmulatorState(EmulatorOptions options)
    {
        _options = options;
        Tokens = new TokenStore(options.TimeProvider);
    }

    /// <summary>Refresh-grant requests received, successful or not.</summary>
    public int RefreshCount => Volatile.Read(ref _refreshCount);

    /// <summary>Device-grant polls that returned tokens.</summary>
    public int LoginCount => Volatile.Read(ref _loginCount);

    /// <summary>Chat requests received (on either chat path), whatever their outcome.</summary>
    public int ChatRequestCount => Volatile.Read(ref _chatRequestCount);

    /// <summary>Device codes issued.</summary>
    public int DeviceCodeCount => Volatile.Read(ref _deviceCodeCount);

    /// <summary>Chat requests being answered right now.</summary>
    public int ActiveChatRequests => Volatile.Read(ref _activeChatRequests);

    /// <summary>The latest chat requests (at most <see cref="EmulatorOptions.MaxRecordedRequests"/>), oldest first.</summary>
    public IReadOnlyList<RequestRecord> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The user codes of device logins waiting for approval.</summary>
    public IReadOnlyList<string> PendingUserCodes => Devices.PendingUserCodes(_options.TimeProvider.GetUtcNow());

    internal TokenStore Tokens { get; }

    /// <summary>The emulator's clock (token expiry, <c>created</c>).</summary>
    internal DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    internal EmulatorOptions Options => _options;

    internal DeviceStore Devices { get; } = new();

    /// <summary>The <c>resource_url</c> handed out with tokens, set once the port is known.</summary>
    internal string ResourceUrl { get; set; } = "127.0.0.1";

    /// <summary>The emulator's own base URL, set once the port is known.</summary>
    internal Uri BaseUrl { get; set; } = new("http://127.0.0.1/");

    /// <summary>Mints a valid access and refresh pair, as if a login had just succeeded (not counted as one).</summary>
    public IssuedToken IssueToken(TimeSpan? lifetime = null) =>
        Tokens.Issue(lifetime ?? _options.AccessTokenLifetime, ResourceUrl);

    /// <summary>Every access token issued so far is expired from now on (chat answers 401).</summary>
    public void ExpireAccessTokens() => Tokens.ExpireAccessTokens();

    /// <summary>Every refresh token issued so far is invalid from now on (400 invalid_grant).</summary>
    public void RevokeRefreshTokens() => Tokens.RevokeRefreshTokens();

    /// <summary>Approves a pending device login, as the user would in the browser.</summary>
    public bool ApproveDevice(string userCode) => Devices.ByUserCode(userCode)?.Decide(approve: true) ?? false;

    /// <summary>Denies a pending device login.</summary>
    public bool DenyDevice(string userCode) => Devices.ByUserCode(userCode)?.Decide(approve: false) ?? false;

    /// <summary>A user code pending now, or the next one issued.</summary>
    public Task<string> WaitForPendingUserCodeAsync(CancellationToken cancellationToken = default) =>
        Devices.WaitForPendingAsync(_options.TimeProvider.GetUtcNow(), cancellationToken);

    /// <summary>The chat request with this 1-based <see cref="RequestRecord.Id"/>, once it has arrived.</summary>
    public Task<RequestRecord> WaitForRequestAsync(long id, CancellationToken cancellationToken = default)
    {
        lock (_requestsGate)
        {
            foreach (var record in _requests)
            {
                if (record.Id == id)
                {
                    return Task.FromResult(record);
                }
            }

            var waiter = new TaskCompletionSource<RequestRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requestWaiters.Add((id, waiter));
            return waiter.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Zeroes the counters and forgets recorded requests. Tokens and device codes stay as they are.</summary>
    public void Reset()
    {
        lock (_requestsGate)
        {
            Interlocked.Exchange(ref _refreshCount, 0);
            Interlocked.Exchange(ref _loginCount, 0);
            Interlocked.Exchange(ref _chatRequestCount, 0);
            Interlocked.Exchange(ref _deviceCodeCount, 0);
            _requests.Clear();
        }
    }

    internal void CountRefresh() => Interlocked.Increment(ref _refreshCount);

    internal void CountLogin() => Interlocked.Increment(ref _loginCount);

    internal void CountDeviceCode() => Interlocked.Increment(ref _deviceCodeCount);

    internal void ChatEnded() => Interlocked.Decrement(ref _activeChatRequests);

    /// <summary>Counts and records a new chat request; its id is its number since start or reset.</summary>
    internal RequestRecord BeginChat(string path, string? scenario, byte[] body, IReadOnlyDictionary<string, string> headers, string protocol = "HTTP/1.1")
    {
        Interlocked.Increment(ref _activeChatRequests);
        List<TaskCompletionSource<RequestRecord>>? ready = null;
        RequestRecord record;
        lock (_requestsGate)
        {
            var id = Interlocked.Increment(ref _chatRequestCount);
            record = new RequestRecord(id, path, scenario, TimeProvider.System.GetUtcNow(), body, headers) { Protocol = protocol };
            _requests.Enqueue(record);
            while (_requests.Count > Math.Max(1, _options.MaxRecordedRequests))
            {
                _requests.Dequeue();
            }

            for (var i = _requestWaiters.Count - 1; i >= 0; i--)
            {
                if (_requestWaiters[i].Id == id)
                {
                    (ready ??= []).Add(_requestWaiters[i].Waiter);
                    _requestWaiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in ready ?? [])
        {
            waiter.TrySetResult(record);
        }

        return record;
    }
}
