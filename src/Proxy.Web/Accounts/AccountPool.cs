using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Proxy.Actors.Resilience;

namespace Proxy.Web.Accounts;

/// <summary>
/// The upstream accounts and how a request picks among them: weighted round-robin, fill-first or
/// least-in-flight, with session affinity on top (rendezvous hashing: a key keeps its account while
/// that account is available, and only its requests move when it is not). Accounts cooling down,
/// dead, with an open breaker or at <c>max_concurrent</c> are skipped. Lock-free: one interlocked
/// counter and the accounts' published state.
/// </summary>
internal sealed class AccountPool
{
    private readonly AccountState[] _accounts;
    private readonly ulong[] _seeds;
    private readonly SmoothWeightedSequence _sequence;
    private readonly TimeProvider _time;
    private long _turn;

    public AccountPool(AccountPoolOptions options, TimeProvider time, AccountStateOptions? stateOptions = null, ILoggerFactory? loggers = null)
    {
        Options = options;
        _time = time;
        var logger = loggers?.CreateLogger("Proxy.Accounts");
        var states = (stateOptions ?? new AccountStateOptions()) with { RestOnRateLimit = options.Accounts.Count > 1 };
        _accounts = options.Accounts.Select((a, i) => new AccountState(a, i, time, states, logger)).ToArray();
        _seeds = options.Accounts.Select(a => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(a.Name))).ToArray();
        _sequence = new SmoothWeightedSequence(options.Accounts.Select(a => a.Weight).ToArray());
    }

    public AccountPoolOptions Options { get; }

    public IReadOnlyList<AccountState> Accounts => _accounts;

    /// <summary>True when at least one account can take a request now (readiness).</summary>
    public bool CanServe()
    {
        var now = _time.GetUtcNow();
        foreach (var account in _accounts)
        {
            if (account.Check(now, out _) is AccountAvailability.Available or AccountAvailability.AtCapacity)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The accounts to try for a request of <paramref name="model"/> (null: any account), in order.
    /// </summary>
    /// <param name="affinityKey">The session's key (see <see cref="AffinityKey"/>); null for none.</param>
    public PoolSelection Select(string? model, ulong? affinityKey = null)
    {
        var now = _time.GetUtcNow();
        Span<bool> eligible = stackalloc bool[_accounts.Length];
        var count = 0;
        var serving = 0;
        for (var i = 0; i < _accounts.Length; i++)
        {
            var account = _accounts[i];
            if (model is not null && account.Definition.Serves(model) is null)
            {
                continue;
            }

            serving++;
            if (account.Check(now, out _) == AccountAvailability.Available)
            {
                eligible[i] = true;
                count++;
            }
        }

        if (count == 0)
        {
            return PoolSelection.Refused(serving == 0 ? NoAccountFor(model!) : Unavailable(model, now));
        }

        var candidates = new AccountState[count];
        if (affinityKey is { } key && Options.Affinity.Enabled)
        {
            ByRendezvous(key, eligible, candidates);
        }
        else
        {
            switch (Options.Strategy)
            {
                case PoolStrategy.FillFirst:
                    InFileOrder(eligible, candidates);
                    break;
                case PoolStrategy.LeastInFlight:
                    ByLoad(eligible, candidates);
                    break;
                default:
                    ByRoundRobin(eligible, candidates);
                    break;
            }
        }

        return PoolSelection.Of(candidates);
    }

    private void InFileOrder(ReadOnlySpan<bool> eligible, AccountState[] candidates)
    {
        var n = 0;
        for (var i = 0; i < _accounts.Length; i++)
        {
            if (eligible[i])
            {
                candidates[n++] = _accounts[i];
            }
        }
    }

    /// <summary>
    /// The shared counter walks the smooth weighted sequence; a turn that lands on an unavailable
    /// account is used up and the next is taken, so the available accounts keep their shares. The
    /// failover order after the pick is the sequence's order from there.
    /// </summary>
    private void ByRoundRobin(ReadOnlySpan<bool> eligible, AccountState[] candidates)
    {
        long turn;
        var tries = 0;
        do
        {
            turn = Interlocked.Increment(ref _turn) - 1;
        }
        while (!eligible[_sequence.At(turn)] && ++tries < _sequence.Period);

        Span<bool> taken = stackalloc bool[_accounts.Length];
        var n = 0;
        for (var step = 0; n < candidates.Length && step < _sequence.Period; step++)
        {
            var index = _sequence.At(turn + step);
            if (eligible[index] && !taken[index])
            {
                taken[index] = true;
                candidates[n++] = _accounts[index];
            }
        }

        // Rounding cannot leave one out (every account appears in a period), but stay total.
        for (var i = 0; n < candidates.Length && i < _accounts.Length; i++)
        {
            if (eligible[i] && !taken[i])
            {
                candidates[n++] = _accounts[i];
            }
        }
    }

    /// <summary>Fewest in flight per unit of weight first; ties go round the accounts so none is favoured.</summary>
    private void ByLoad(ReadOnlySpan<bool> eligible, AccountState[] candidates)
    {
        var start = (int)((ulong)(Interlocked.Increment(ref _turn) - 1) % (ulong)_accounts.Length);
        var n = 0;
        for (var k = 0; k < _accounts.Length; k++)
        {
            var i = (start + k) % _accounts.Length;
            if (eligible[i])
            {
                candidates[n++] = _accounts[i];
            }
        }

        // Stable insertion sort: a handful of accounts.
        for (var i = 1; i < candidates.Length; i++)
        {
            var item = candidates[i];
            var load = Load(item);
            var j = i - 1;
            while (j >= 0 && Load(candidates[j]) > load)
            {
                candidates[j + 1] = candidates[j];
                j--;
            }

            candidates[j + 1] = item;
        }

        static double Load(AccountState account) => (double)account.InFlight / account.Definition.Weight;
    }

    /// <summary>
    /// Weighted rendezvous hashing: every account scores the key, the highest available score wins,
    /// so a key moves only when its account is unavailable and comes back when it is again.
    /// </summary>
    private void ByRendezvous(ulong key, ReadOnlySpan<bool> eligible, AccountState[] candidates)
    {
        Span<double> scores = stackalloc double[_accounts.Length];
        var n = 0;
        for (var i = 0; i < _accounts.Length; i++)
        {
            if (!eligible[i])
            {
                continue;
            }

            scores[i] = Score(key, _seeds[i], _accounts[i].Definition.Weight);
            var j = n - 1;
            while (j >= 0 && scores[candidates[j].Index] < scores[i])
            {
                candidates[j + 1] = candidates[j];
                j--;
            }

            candidates[j + 1] = _accounts[i];
            n++;
        }
    }

    /// <summary><c>-weight / ln(u)</c> with <c>u</c> in (0, 1) from the mixed key and seed.</summary>
    internal static double Score(ulong key, ulong seed, int weight)
    {
        var mixed = Mix(key ^ seed);
        var unit = ((mixed >> 11) + 0.5) / (1UL << 53);
        return -weight / Math.Log(unit);
    }

    /// <summary>SplitMix64's finaliser: every input bit reaches every output bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static PoolRefusal NoAccountFor(string model) => new(
        400,
        "invalid_request_error",
        "model_not_found",
        $"No upstream account serves the model '{model}'.",
        null);

    /// <summary>
    /// Every account that serves the model is out. Cooling down or at capacity wins (429, come back at
    /// the earliest recovery), then open breakers (503 circuit_open), then a needed login, then dead keys.
    /// </summary>
    private PoolRefusal Unavailable(string? model, DateTimeOffset now)
    {
        DateTimeOffset? earliest = null;
        var worst = AccountAvailability.Dead;
        var states = new StringBuilder();
        foreach (var account in _accounts)
        {
            if (model is not null && account.Definition.Serves(model) is null)
            {
                continue;
            }

            var availability = account.Check(now, out var until);
            var rank = Rank(availability);
            if (rank < Rank(worst))
            {
                worst = availability;
                earliest = null;
            }

            if (rank == Rank(worst) && until is { } at && (earliest is null || at < earliest))
            {
                earliest = at;
            }

            states.Append(states.Length == 0 ? string.Empty : ", ").Append(account.Name).Append(": ").Append(Describe(account, availability, until));
        }

        var retryAfter = earliest is { } e ? Ceiling(e - now) : (TimeSpan?)null;
        return worst switch
        {
            AccountAvailability.CoolingDown or AccountAvailability.AtCapacity => new(
                429,
                "rate_limit_error",
                worst == AccountAvailability.CoolingDown ? "all_accounts_cooling_down" : "all_accounts_busy",
                $"Every upstream account is resting ({states}); retry after {Seconds(retryAfter ?? TimeSpan.FromSeconds(1))} s.",
                retryAfter ?? TimeSpan.FromSeconds(1)),
            AccountAvailability.CircuitOpen => new(
                503,
                "circuit_open",
                "circuit_open",
                $"Every upstream account is failing and paused ({states}).",
                retryAfter ?? TimeSpan.FromSeconds(1)),
            AccountAvailability.AuthRequired => new(
                503,
                "auth_required",
                "login_required",
                $"No upstream account has a usable credential ({states}).",
                null),
            _ => new(
                503,
                "upstream_error",
                "invalid_api_key",
                $"No upstream account can serve: {states}. {(Options.File is null ? "Replace the rejected key (UPSTREAM_API_KEY) and restart the proxy." : "Replace the rejected key in the accounts file; it is read again when it changes.")}",
                null),
        };

        static int Rank(AccountAvailability availability) => availability switch
        {
            AccountAvailability.Available or AccountAvailability.CoolingDown or AccountAvailability.AtCapacity => 0,
            AccountAvailability.CircuitOpen => 1,
            AccountAvailability.AuthRequired => 2,
            _ => 3,
        };
    }

    private static string Describe(AccountState account, AccountAvailability availability, DateTimeOffset? until) => availability switch
    {
        AccountAvailability.Dead => "dead (" + (account.DeadReason ?? "invalid_api_key") + ")",
        _ when until is { } at => availability.ToWire() + " until " + at.ToString("O", CultureInfo.InvariantCulture),
        _ => availability.ToWire(),
    };

    /// <summary>Whole seconds, rounded up: Retry-After has no fractions.</summary>
    private static TimeSpan Ceiling(TimeSpan span) => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(span.TotalSeconds)));

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
}
