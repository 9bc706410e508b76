namespace Proxy.TestKit;

/// <summary>
/// Virtual time for tests. Nothing moves until <see cref="Advance"/>: then every timer due on the
/// way fires, in due-time order (ties in creation order), synchronously on the caller's thread,
/// with the clock set to its due time while its callback runs. Timers already due when created
/// or changed fire at once.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;
    private long _nextSequence;

    public ManualTimeProvider(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>One tick per 100 ns, like <see cref="TimeSpan"/>.</summary>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers created and not yet disposed (for tests that check nothing leaks).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward by <paramref name="by"/>, firing every timer that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_gate)
        {
            target = _ticks + by.Ticks;
        }

        FireDue(target);
    }

    /// <summary>Sets the wall clock; moving it forward advances time (and fires timers), backward is refused.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        TimeSpan by;
        lock (_gate)
        {
            by = value - _now;
        }

        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Virtual time only moves forward.");
        }

        Advance(by);
    }

    private void FireDue(long target)
    {
        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (ManualTimer timer in _timers)
                {
                    if (timer.DueTicks <= target
                        && (next is null || timer.DueTicks < next.DueTicks || (timer.DueTicks == next.DueTicks && timer.Sequence < next.Sequence)))
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    MoveTo(target);
                    return;
                }

                MoveTo(Math.Max(_ticks, next.DueTicks));
                if (next.PeriodTicks > 0)
                {
                    next.DueTicks += next.PeriodTicks;
                    next.Sequence = _nextSequence++;
                }
                else
                {
                    _timers.Remove(next);
                }
            }

            next.Fire();
        }
    }

    private void MoveTo(long ticks)
    {
        _now += TimeSpan.FromTicks(ticks - _ticks);
        _ticks = ticks;
    }

    private bool Schedule(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (timer.IsDisposed || dueTime == Timeout.InfiniteTimeSpan)
            {
                return false;
            }

            timer.DueTicks = _ticks + dueTime.Ticks;
            timer.PeriodTicks = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
            timer.Sequence = _nextSequence++;
            _timers.Add(timer);
            return dueTime == TimeSpan.Zero;
        }
    }

    private void Unschedule(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public long DueTicks { get; set; }

        public long PeriodTicks { get; set; }

        public long Sequence { get; set; }

        public bool IsDisposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(dueTime));
            }

            if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(period));
            }

            if (IsDisposed)
            {
                return false;
            }

            if (_owner.Schedule(this, dueTime, period))
            {
                // Already due: fire now, as a real timer would as soon as it could.
                _owner.FireDue(_owner.GetTimestamp());
            }

            return true;
        }

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            IsDisposed = true;
            _owner.Unschedule(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
