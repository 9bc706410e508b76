namespace Proxy.Web.Accounts;

/// <summary>One request's hold on an account (counted in flight until <see cref="AccountState.Complete"/>).</summary>
/// <param name="Account">The account.</param>
/// <param name="IsTrial">True when it is the one request let through a cooldown: a success ends the cooldown.</param>
internal readonly record struct AccountLease(AccountState Account, bool IsTrial);
