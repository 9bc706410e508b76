namespace Proxy.Web.Accounts;

/// <summary>
/// The pool of upstream accounts: from the accounts file (<c>ACCOUNTS_FILE</c>, <c>--accounts FILE</c>),
/// or a pool of one made of the single-account variables.
/// </summary>
internal sealed record AccountPoolOptions
{
    public PoolStrategy Strategy { get; init; } = PoolStrategy.RoundRobin;

    public AffinityOptions Affinity { get; init; } = AffinityOptions.Off;

    public required IReadOnlyList<AccountDefinition> Accounts { get; init; }

    /// <summary>The accounts file it was read from; null for a pool of one made of the variables.</summary>
    public string? File { get; init; }

    /// <summary>True when one account is a Qwen OAuth credential (the login command and page apply to it).</summary>
    public bool HasQwenOAuth => Accounts.Any(a => a.Kind == AccountKind.QwenOAuth);

    /// <summary>The Qwen OAuth account, if any (a pool has at most one).</summary>
    public AccountDefinition? QwenOAuthAccount => Accounts.FirstOrDefault(a => a.Kind == AccountKind.QwenOAuth);

    /// <summary>"strategy round-robin, affinity off, 3 accounts: a (...), ..." with every key masked.</summary>
    public string Describe() =>
        $"strategy {StrategyName(Strategy)}, affinity {(Affinity.Enabled ? "on (" + Affinity.Header + ")" : "off")}, "
        + $"{Accounts.Count} account{(Accounts.Count == 1 ? string.Empty : "s")}: {string.Join(", ", Accounts)}";

    public static string StrategyName(PoolStrategy strategy) => strategy switch
    {
        PoolStrategy.FillFirst => "fill-first",
        PoolStrategy.LeastInFlight => "least-in-flight",
        _ => "round-robin",
    };
}
