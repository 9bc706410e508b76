using Proxy.Actors.Auth;

namespace Proxy.Actors.Tests.Auth;

public sealed class PkceTests
{
    [Fact]
    public void Verifier_is_43_base64url_characters_without_padding()
    {
        var verifier = Pkce.CreateVerifier();

        Assert.Equal(43, verifier.Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", verifier);
    }

    [Fact]
    public void Verifiers_are_random()
    {
        Assert.NotEqual(Pkce.CreateVerifier(), Pkce.CreateVerifier());
    }

    [Fact]
    public void Challenge_is_base64url_of_sha256_of_the_verifier()
    {
        // Expected value computed independently: base64url(sha256("dBjftJeZ4CVP-mJ92K9qkmL4qvtTlBVCPg7LgH4")) without padding.
        Assert.Equal("MRnTFqJGiLMEaVG78pRiJr2SDrQsyU2mWDvKpHEaN9A", Pkce.Challenge("dBjftJeZ4CVP-mJ92K9qkmL4qvtTlBVCPg7LgH4"));
    }
}
