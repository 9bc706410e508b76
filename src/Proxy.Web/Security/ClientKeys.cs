using System.Security.Cryptography;
using System.Text;
using Proxy.Web.Configuration;

namespace Proxy.Web.Security;

/// <summary>
/// The configured client keys (PROXY_API_KEYS), kept only as SHA-256 hashes and compared in
/// constant time with <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// </summary>
internal sealed class ClientKeys
{
    /// <summary>Sets the value of the <c>/auth</c> cookie apart from any other use of the key.</summary>
    private const string AuthCookiePurpose = "qwen-proxy /auth cookie\n";

    private readonly byte[][] _hashes;
    private readonly byte[][] _authCookies;

    public ClientKeys(ProxyOptions options)
    {
        _hashes = options.ProxyApiKeys.Select(Hash).ToArray();
        _authCookies = options.ProxyApiKeys.Select(k => Convert.FromBase64String(AuthCookieValue(k))).ToArray();
    }

    /// <summary>True when clients must present a key.</summary>
    public bool Required => _hashes.Length > 0;

    /// <summary>
    /// The client's identity when <paramref name="presented"/> is one of the keys, else null.
    /// Every configured key is compared, so the time taken does not reveal which one matched.
    /// </summary>
    public ClientIdentity? Verify(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashInto(presented, hash);
        var matched = -1;
        for (var i = 0; i < _hashes.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, _hashes[i]))
            {
                matched = i;
            }
        }

        return matched < 0 ? null : new ClientIdentity(IdOf(_hashes[matched]));
    }

    /// <summary>
    /// The <c>/auth</c> cookie's value for <paramref name="key"/>: a hash of the key for that purpose
    /// alone, so a stolen cookie opens the login page and nothing else (it is no API key). The same on
    /// every instance, so a cookie set by one is good behind a load balancer.
    /// </summary>
    public static string AuthCookieValue(string key) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(AuthCookiePurpose + key)));

    /// <summary>The identity of the key whose <c>/auth</c> cookie value is <paramref name="cookie"/>, else null (constant time over all keys).</summary>
    public ClientIdentity? VerifyAuthCookie(string? cookie)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        if (string.IsNullOrEmpty(cookie) || !Convert.TryFromBase64String(cookie, presented, out var written) || written != presented.Length)
        {
            return null;
        }

        var matched = -1;
        for (var i = 0; i < _authCookies.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, _authCookies[i]))
            {
                matched = i;
            }
        }

        return matched < 0 ? null : new ClientIdentity(IdOf(_hashes[matched]));
    }

    /// <summary>The key a request presents: <c>Authorization: Bearer KEY</c>, else <c>x-api-key: KEY</c>.</summary>
    public static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value
            && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = value.AsSpan(7).Trim();
            if (!token.IsEmpty)
            {
                return token.ToString();
            }
        }

        var apiKey = request.Headers["x-api-key"];
        return apiKey.Count == 1 && !string.IsNullOrWhiteSpace(apiKey[0]) ? apiKey[0]!.Trim() : null;
    }

    private static byte[] Hash(string key)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        HashInto(key, hash);
        return hash;
    }

    private static void HashInto(ReadOnlySpan<char> key, Span<byte> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(key);
        var bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(key, bytes);
        SHA256.HashData(bytes, destination);
        CryptographicOperations.ZeroMemory(bytes);
    }

    private static string IdOf(byte[] hash) => "key:" + Convert.ToHexStringLower(hash.AsSpan(0, 4));
}
