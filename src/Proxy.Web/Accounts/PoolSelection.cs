namespace Proxy.Web.Accounts;

/// <summary>
/// The pool's answer for one request: the accounts to try, in order (the first is the strategy's or
/// the affinity's pick, the rest are for failover before the first byte), or why there are none.
/// </summary>
internal sealed class PoolSelection
{
    private PoolSelection(AccountState[] candidates, PoolRefusal? refusal)
    {
        Candidates = candidates;
        Refusal = refusal;
    }

    public IReadOnlyList<AccountState> Candidates { get; }

    /// <summary>Set when <see cref="Candidates"/> is empty.</summary>
    public PoolRefusal? Refusal { get; }

    public static PoolSelection Of(AccountState[] candidates) => new(candidates, null);

    public static PoolSelection Refused(PoolRefusal refusal) => new([], refusal);
}
