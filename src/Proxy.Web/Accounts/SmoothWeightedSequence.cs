namespace Proxy.Web.Accounts;

/// <summary>
/// One period of smooth weighted round-robin (nginx's: each turn every entry gains its weight, the
/// richest is picked and pays the total), computed once. With weights 5, 1, 1 a period reads
/// a a b a c a a rather than a a a a a b c. Walking it with a shared counter is lock-free.
/// </summary>
internal sealed class SmoothWeightedSequence
{
    private readonly int[] _order;

    public SmoothWeightedSequence(IReadOnlyList<int> weights)
    {
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count);
        var total = 0;
        foreach (var weight in weights)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
            total += weight;
        }

        _order = new int[total];
        var current = new long[weights.Count];
        for (var turn = 0; turn < total; turn++)
        {
            var best = 0;
            for (var i = 0; i < weights.Count; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }

            current[best] -= total;
            _order[turn] = best;
        }
    }

    /// <summary>Turns in one period: the sum of the weights.</summary>
    public int Period => _order.Length;

    /// <summary>The entry picked at turn <paramref name="turn"/> (any non-negative number; the period repeats).</summary>
    public int At(long turn) => _order[(int)(turn % _order.Length)];
}
