using System.Collections.Concurrent;
using Proxy.LoadClient.Load;
using Proxy.LoadClient.Report;

namespace Proxy.LoadClient.Soak;

/// <summary>Counts the soak's outcomes as the workers report them (thread-safe), and the failures nothing explains, by text.</summary>
internal sealed class SoakTally
{
    private readonly long[] _outcomes = new long[Enum.GetValues<SoakOutcome>().Length];
    private readonly ConcurrentDictionary<string, long> _unexpected = new(StringComparer.Ordinal);
    private long _requests;
    private long _streaming;
    private long _faulted;
    private long _cancels;

    public long Requests => Interlocked.Read(ref _requests);

    public long Unexpected => Interlocked.Read(ref _outcomes[(int)SoakOutcome.FailedOtherwise]) + Interlocked.Read(ref _outcomes[(int)SoakOutcome.FaultNotSeen]);

    public SoakOutcome Add(SoakKind kind, RequestSample sample)
    {
        var outcome = SoakOutcomes.Classify(kind, sample);
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _outcomes[(int)outcome]);
        if (kind.Stream)
        {
            Interlocked.Increment(ref _streaming);
        }

        if (kind.Fault is not null)
        {
            Interlocked.Increment(ref _faulted);
        }

        if (kind.Cancel)
        {
            Interlocked.Increment(ref _cancels);
        }

        if (outcome is SoakOutcome.FailedOtherwise or SoakOutcome.FaultNotSeen)
        {
            var what = outcome == SoakOutcome.FaultNotSeen
                ? "answered as a success"
                : (sample.Error ?? "failed") + (sample.ErrorCode is { } code ? $" {code}" : "");
            _unexpected.AddOrUpdate($"{kind.Name}: {what}", 1, (_, n) => n + 1);
        }

        return outcome;
    }

    public SoakCounts Counts() => new(
        Requests,
        Interlocked.Read(ref _streaming),
        Interlocked.Read(ref _faulted),
        Interlocked.Read(ref _cancels),
        Of(SoakOutcome.Succeeded),
        Of(SoakOutcome.Cancelled),
        Of(SoakOutcome.FaultBroke),
        Of(SoakOutcome.FaultNotSeen),
        Of(SoakOutcome.FailedOtherwise));

    /// <summary>The most frequent unexplained failures, most first, as "N x kind: error".</summary>
    public IReadOnlyList<string> TopUnexpected(int count) =>
        _unexpected.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count)
            .Select(p => $"{p.Value} x {p.Key}").ToArray();

    private long Of(SoakOutcome outcome) => Interlocked.Read(ref _outcomes[(int)outcome]);
}
