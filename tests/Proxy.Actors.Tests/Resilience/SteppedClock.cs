using System.Threading.Channels;

namespace Proxy.Actors.Tests.Resilience;

/// <summary>
/// Virtual time that tells when a timer is scheduled, so a test can drive a policy step by step:
/// wait for the policy to schedule its next timer, then jump to it.
/// </summary>
internal sealed class SteppedClock : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<Timer> _timers = [];
    private readonly Channel<bool> _scheduled = Channel.CreateUnbounded<bool>();
    private DateTimeOffset _now;
    private long _sequence;
    private long _lastMark;

    public SteppedClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            Timer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due <= target).OrderBy(t => t.Due).FirstOrDefault();
                if (next is null)
                {
                    _now = target;
                    return;
                }

                _now = next.Due;
                if (next.Period is { } period)
                {
                    next.Due += period;
                }
                else
                {
                    _timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    /// <summary>Notes that the code under test did something (an attempt); timers scheduled after it count as its next step.</summary>
    public void Mark()
    {
        lock (_gate)
        {
            _lastMark = ++_sequence;
        }

        _scheduled.Writer.TryWrite(true);
    }

    /// <summary>
    /// Runs virtual time forward until <paramref name="task"/> completes. Each step waits (in real time,
    /// bounded) until the code under test finished or scheduled a timer after its last <see cref="Mark"/>,
    /// then jumps to the earliest pending timer.
    /// </summary>
    public async Task<T> RunUntilCompleteAsync<T>(Task<T> task, int maxSteps = 100)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var step = 0; step < maxSteps; step++)
        {
            TimeSpan? wait = null;
            while (!task.IsCompleted)
            {
                lock (_gate)
                {
                    if (_timers.Any(t => t.Sequence > _lastMark))
                    {
                        wait = _timers.Min(t => t.Due) - _now;
                        break;
                    }
                }

                var signal = _scheduled.Reader.WaitToReadAsync(timeout.Token).AsTask();
                await Task.WhenAny(task, signal);
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException("The code under test neither finished nor scheduled a timer.");
                }

                while (_scheduled.Reader.TryRead(out _))
                {
                }
            }

            if (task.IsCompleted)
            {
                return await task;
            }

            lock (_gate)
            {
                _lastMark = _sequence;
            }

            Advance(wait!.Value);
        }

        throw new InvalidOperationException("The policy did not finish within the allowed steps.");
    }

    private sealed class Timer(SteppedClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset Due { get; set; }

        public TimeSpan? Period { get; private set; }

        public long Sequence { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = clock._now + dueTime;
                Sequence = ++clock._sequence;
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
                clock._timers.Add(this);
            }

            clock._scheduled.Writer.TryWrite(true);
            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
