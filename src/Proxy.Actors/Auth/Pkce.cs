using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Auth;

/// <summary>Proof Key for Code Exchange (RFC 7636), S256 method.</summary>
internal static class Pkce
{
    public const string Method = "S256";

    /// <summary>32 random bytes, base64url without padding: 43 characters.</summary>
    public static string CreateVerifier()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>base64url(SHA-256(verifier)) without padding.</summary>
    public static string Challenge(string verifier)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(verifier), hash);
        return Base64Url.EncodeToString(hash);
    }
}
