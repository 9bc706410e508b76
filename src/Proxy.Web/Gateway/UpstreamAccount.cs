using Polly;
using Proxy.Actors.Auth;
using Proxy.Actors.Resilience;
using Proxy.Actors.Upstream;

namespace Proxy.Web.Gateway;

/// <summary>
/// One upstream account and everything the request path needs of it: its token source, its quota
/// cooldown and circuit breaker (whose actor is the parent of its stream actors), the shared
/// upstream client and the retry pipeline of the opening phase.
/// </summary>
internal sealed class UpstreamAccount(
    string name,
    ITokenSource tokens,
    AccountGate gate,
    QwenUpstreamClient client,
    ResiliencePipeline retry)
{
    public string Name { get; } = name;

    public ITokenSource Tokens { get; } = tokens;

    public AccountGate Gate { get; } = gate;

    public CircuitBreaker Breaker => Gate.Breaker;

    public QwenUpstreamClient Client { get; } = client;

    public ResiliencePipeline Retry { get; } = retry;

    /// <summary>The account's extra headers and whether Qwen Code's identity goes with its requests.</summary>
    public AccountHeaders? Headers { get; init; }

    /// <summary>
    /// True in cluster mode: quota cooldowns go through <see cref="AccountGate.Cooldown"/>, which other
    /// instances share. Otherwise the pool's own cooldown (with its trials) is the only one.
    /// </summary>
    public bool SharesCooldown { get; init; }
}
