using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Proxy.Actors.Auth;

using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

/// <summary>
/// A token endpoint with rotating refresh tokens (a used one is rejected, like Qwen's), counting
/// refreshes, with scripted faults and a gate to hold refreshes in flight.
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _faults = new();
    private readonly TaskCompletionSource _firstRefresh = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _validRefreshToken;
    private int _serial;
    private int _refreshCount;

    public Uri BaseUrl { get; } = new("https://oauth.test");

    /// <summary>Every access and refresh token handed out, for checking logs for secrets.</summary>
    public ConcurrentQueue<string> IssuedSecrets { get; } = new();

    public int RefreshCount => Volatile.Read(ref _refreshCount);

    /// <summary>Awaited before a refresh is answered (after it is counted).</summary>
    public Task Hold { get; set; } = Task.CompletedTask;

    public Task FirstRefreshArrived => _firstRefresh.Task;

    public bool OmitRefreshToken { get; set; }

    public string? ResourceUrl { get; set; } = "portal.qwen.ai";

    public int ExpiresInSeconds { get; set; } = 3600;

    public string? LastAccessToken { get; private set; }

    public HttpClient CreateClient() => new(this, disposeHandler: false);

    /// <summary>A login: a credential whose refresh token the endpoint honours, expiring after <paramref name="lifetime"/>.</summary>
    public QwenCredentials Login(TimeProvider time, TimeSpan lifetime)
    {
        lock (_gate)
        {
            var (access, refresh) = Issue();
            _validRefreshToken = refresh;
            return new QwenCredentials(access, refresh, "Bearer", ResourceUrl, time.GetUtcNow() + lifetime);
        }
    }

    public void RevokeRefreshTokens()
    {
        lock (_gate)
        {
            _validRefreshToken = null;
        }
    }

    public void FailNextRefresh(Func<HttpResponseMessage> fault) => _faults.Enqueue(fault);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p[1]));
        if (form["grant_type"] != "refresh_token")
        {
            throw new InvalidOperationException("Only the refresh grant is served here.");
        }

        Interlocked.Increment(ref _refreshCount);
        _firstRefresh.TrySetResult();
        await Hold.WaitAsync(cancellationToken);
        if (_faults.TryDequeue(out var fault))
        {
            return fault();
        }

        string json;
        lock (_gate)
        {
            if (_validRefreshToken is null || form["refresh_token"] != _validRefreshToken)
            {
                return Json(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"refresh token expired or already used"}""");
            }

            var (access, refresh) = Issue();
            if (!OmitRefreshToken)
            {
                _validRefreshToken = refresh;
            }

            json = FakeOAuthServer.TokenJson(access, OmitRefreshToken ? null : refresh, ExpiresInSeconds, ResourceUrl);
        }

        return Json(HttpStatusCode.OK, json);
    }

    private (string Access, string Refresh) Issue()
    {
        var n = ++_serial;
        var access = $"AT{n}-{Guid.NewGuid():N}";
        var refresh = $"RT{n}-{Guid.NewGuid():N}";
        IssuedSecrets.Enqueue(access);
        IssuedSecrets.Enqueue(refresh);
        LastAccessToken = access;
        return (access, refresh);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
