namespace Proxy.Web.Health;

/// <summary>Per-account auth state for <c>/health/detailed</c>; reads published state, never refreshes.</summary>
internal interface IAccountStatusProvider
{
    IReadOnlyList<AccountStatus> GetAccounts();
}
