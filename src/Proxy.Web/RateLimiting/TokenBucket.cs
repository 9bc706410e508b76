using System.Threading.RateLimiting;

namespace Proxy.Web.RateLimiting;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/> (the framework's bucket reads the real clock,
/// so it cannot run on virtual time): refills continuously at <c>tokensPerSecond</c> up to
/// <c>capacity</c>, never queues, and reports Retry-After, remaining permits and time to full
/// as lease metadata.
/// </summary>
internal sealed class TokenBucket : RateLimiter
{
    private readonly double _rate;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _updatedAt;
    private long _successes;
    private long _failures;

    public TokenBucket(double tokensPerSecond, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tokensPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _rate = tokensPerSecond;
        _capacity = capacity;
        _time = time;
        _tokens = capacity;
        _updatedAt = time.GetTimestamp();
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                Refill(now);
                if (_tokens < _capacity)
                {
                    return null;
                }

                // The bucket has been full since it last reached capacity.
                return _time.GetElapsedTime(_updatedAt, now);
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill(_time.GetTimestamp());
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)Math.Floor(_tokens),
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successes,
                TotalFailedLeases = _failures,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        if (permitCount > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount, "More permits than the bucket holds.");
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Refill(now);
            var needed = Math.Max(permitCount, 1);
            if (_tokens >= needed)
            {
                if (permitCount > 0)
                {
                    // Refilling starts now (a full bucket does not bank the time it sat full).
                    _tokens -= permitCount;
                    _updatedAt = now;
                }

                _successes++;
                return new Lease(true, null, (long)Math.Floor(_tokens), TimeToFull());
            }

            _failures++;
            var retryAfter = TimeSpan.FromSeconds((needed - _tokens) / _rate);
            return new Lease(false, retryAfter, (long)Math.Floor(_tokens), TimeToFull());
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private TimeSpan TimeToFull() => TimeSpan.FromSeconds((_capacity - _tokens) / _rate);

    private void Refill(long now)
    {
        if (_tokens >= _capacity)
        {
            // Full: _updatedAt stays the moment it became full.
            return;
        }

        var elapsed = _time.GetElapsedTime(_updatedAt, now).TotalSeconds;
        if (elapsed <= 0)
        {
            return;
        }

        var refilled = _tokens + (elapsed * _rate);
        if (refilled >= _capacity)
        {
            // Remember when it became full, so IdleDuration counts from then.
            var secondsToFull = (_capacity - _tokens) / _rate;
            _updatedAt += (long)(secondsToFull * _time.TimestampFrequency);
            _tokens = _capacity;
        }
        else
        {
            _tokens = refilled;
            _updatedAt = now;
        }
    }

    private sealed class Lease(bool isAcquired, TimeSpan? retryAfter, long remaining, TimeSpan reset) : RateLimitLease
    {
        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames =>
            retryAfter is null
                ? [RateLimitMetadata.Remaining.Name, RateLimitMetadata.Reset.Name]
                : [MetadataName.RetryAfter.Name, RateLimitMetadata.Remaining.Name, RateLimitMetadata.Reset.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (metadataName == MetadataName.RetryAfter.Name && retryAfter is { } delay)
            {
                metadata = delay;
                return true;
            }

            if (metadataName == RateLimitMetadata.Remaining.Name)
            {
                metadata = remaining;
                return true;
            }

            if (metadataName == RateLimitMetadata.Reset.Name)
            {
                metadata = reset;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
