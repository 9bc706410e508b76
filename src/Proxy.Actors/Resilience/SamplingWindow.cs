namespace Proxy.Actors.Resilience;

/// <summary>
/// Outcomes of the last <see cref="Length"/>, counted in a ring of buckets (a bucket is a tenth of
/// the window), so a burst costs no memory and old outcomes age out a tenth of the window at a time.
/// Only the breaker actor uses it: no locking.
/// </summary>
internal sealed class SamplingWindow
{
    private const int BucketCount = 10;
    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly long _bucketTicks;

    public SamplingWindow(TimeSpan length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        Length = length;
        _bucketTicks = Math.Max(1, length.Ticks / BucketCount);
    }

    public TimeSpan Length { get; }

    /// <summary>Counts one outcome at <paramref name="now"/>.</summary>
    public void Add(DateTimeOffset now, bool failed)
    {
        ref var bucket = ref Current(now);
        bucket.Calls++;
        if (failed)
        {
            bucket.Failures++;
        }
    }

    /// <summary>Calls and failures within the window ending at <paramref name="now"/>.</summary>
    public (int Calls, int Failures) Totals(DateTimeOffset now)
    {
        var index = now.UtcTicks / _bucketTicks;
        int calls = 0, failures = 0;
        foreach (var bucket in _buckets)
        {
            if (index - bucket.Index < BucketCount)
            {
                calls += bucket.Calls;
                failures += bucket.Failures;
            }
        }

        return (calls, failures);
    }

    public void Clear() => Array.Clear(_buckets);

    private ref Bucket Current(DateTimeOffset now)
    {
        var index = now.UtcTicks / _bucketTicks;
        ref var bucket = ref _buckets[(int)(index % BucketCount)];
        if (bucket.Index != index)
        {
            bucket = new Bucket { Index = index };
        }

        return ref bucket;
    }

    private struct Bucket
    {
        public long Index;
        public int Calls;
        public int Failures;
    }
}
