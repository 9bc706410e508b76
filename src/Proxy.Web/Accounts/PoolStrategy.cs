namespace Proxy.Web.Accounts;

/// <summary>How the pool orders its accounts for a request (the accounts file's <c>strategy</c>).</summary>
internal enum PoolStrategy
{
    /// <summary><c>round-robin</c>: smooth weighted round-robin, each account's share proportional to its weight.</summary>
    RoundRobin,

    /// <summary><c>fill-first</c>: the first available account in file order takes everything.</summary>
    FillFirst,

    /// <summary><c>least-in-flight</c>: the account with the fewest requests in flight per unit of weight.</summary>
    LeastInFlight,
}
