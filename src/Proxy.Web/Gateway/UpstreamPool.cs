using Proxy.Web.Accounts;

namespace Proxy.Web.Gateway;

/// <summary>The pool's accounts (selection and state) beside their upstream parts (token source, breaker, retry), index for index.</summary>
internal sealed class UpstreamPool(AccountPool accounts, IReadOnlyList<UpstreamAccount> upstreams)
{
    public AccountPool Accounts { get; } = accounts;

    public IReadOnlyList<UpstreamAccount> Upstreams { get; } = upstreams;

    public UpstreamAccount For(AccountState state) => Upstreams[state.Index];
}
