using Proxy.Actors.Auth;

namespace Proxy.Cluster.Tests.Support;

/// <summary>
/// The refresh grant as Qwen answers it, counted: each refresh rotates the refresh token, and a
/// refresh with a token already used is rejected (and counted) like the real server does.
/// </summary>
internal sealed class FakeTokenEndpoint
{
    private readonly object _gate = new();
    private string _validRefreshToken;
    private int _refreshCount;
    private int _rejectedCount;

    public FakeTokenEndpoint(string validRefreshToken) => _validRefreshToken = validRefreshToken;

    public int RefreshCount => Volatile.Read(ref _refreshCount);

    public int RejectedCount => Volatile.Read(ref _rejectedCount);

    public QwenCredentials? Refresh(QwenCredentials current)
    {
        lock (_gate)
        {
            if (current.RefreshToken != _validRefreshToken)
            {
                _rejectedCount++;
                return null;
            }

            var n = ++_refreshCount;
            _validRefreshToken = $"refresh-{n}";
            return new QwenCredentials($"access-{n}", _validRefreshToken, "Bearer", "portal.qwen.ai", DateTimeOffset.UtcNow.AddHours(1));
        }
    }
}
