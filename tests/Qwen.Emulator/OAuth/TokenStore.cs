using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Qwen.Emulator.OAuth;

/// <summary>Issued access and refresh tokens; thread-safe. Expiry is read from the injected clock.</summary>
internal sealed class TokenStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, AccessEntry> _access = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _refresh = new(StringComparer.Ordinal);

    public IssuedToken Issue(TimeSpan lifetime, string resourceUrl, string? keepRefreshToken = null)
    {
        var access = NewToken("emu_at_");
        var refresh = keepRefreshToken ?? NewToken("emu_rt_");
        var expiresAt = time.GetUtcNow() + lifetime;
        _access[access] = new AccessEntry(expiresAt);
        _refresh[refresh] = 0;
        return new IssuedToken(access, refresh, expiresAt, resourceUrl);
    }

    public AccessCheck Check(ReadOnlySpan<char> accessToken)
    {
        var lookup = _access.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(accessToken, out var entry))
        {
            return AccessCheck.Unknown;
        }

        return entry.ForcedExpired || time.GetUtcNow() >= entry.ExpiresAt ? AccessCheck.Expired : AccessCheck.Valid;
    }

    /// <summary>
    /// Redeems a refresh token. When <paramref name="rotate"/> it is spent at once, so a second use
    /// (or a concurrent one) fails; otherwise it stays valid.
    /// </summary>
    public bool Redeem(string refreshToken, bool rotate) =>
        rotate ? _refresh.TryRemove(refreshToken, out _) : _refresh.ContainsKey(refreshToken);

    public void ExpireAccessTokens()
    {
        foreach (var entry in _access.Values)
        {
            entry.ForcedExpired = true;
        }
    }

    public void RevokeRefreshTokens() => _refresh.Clear();

    private static string NewToken(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private sealed class AccessEntry(DateTimeOffset expiresAt)
    {
        private volatile bool _forcedExpired;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public bool ForcedExpired
        {
            get => _forcedExpired;
            set => _forcedExpired = value;
        }
    }
}
