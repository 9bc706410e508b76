using Proxy.Actors.Auth;

namespace Proxy.Actors.Tests.Upstream;

/// <summary>Hands out scripted tokens and counts how often it was asked.</summary>
internal sealed class FakeTokenSource(params AccessToken[] tokens) : ITokenSource
{
    private int _current;

    public int Gets { get; private set; }

    public List<AccessToken> Renewed { get; } = [];

    public bool LoginRequired { get; set; }

    public bool RenewFails { get; set; }

    public static AccessToken OAuth(string value, string apiBase = "https://portal.qwen.ai/v1") =>
        new(value, new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), new Uri(apiBase));

    public static AccessToken ApiKey(string value, string apiBase) => new(value, DateTimeOffset.MaxValue, new Uri(apiBase));

    public ValueTask<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        Gets++;
        return LoginRequired ? throw new AuthRequiredException("Log in at http://127.0.0.1:8143/auth") : ValueTask.FromResult(tokens[_current]);
    }

    public ValueTask<AccessToken> RenewAfterUnauthorizedAsync(AccessToken rejected, CancellationToken cancellationToken)
    {
        Renewed.Add(rejected);
        if (RenewFails)
        {
            throw new AuthRequiredException("The credential is dead; log in again.");
        }

        _current = Math.Min(_current + 1, tokens.Length - 1);
        return ValueTask.FromResult(tokens[_current]);
    }
}
