using System.Threading.Channels;

namespace Proxy.TestKit;

/// <summary>
/// Virtual time for tests. Nothing moves until <see cref="Advance"/>: then every timer due on the
/// way fires, in due-time order (ties in creation order), synchronously on the caller's thread,
/// with the clock set to its due time while its callback runs. Timers already due when created
/// or changed fire at once.
/// <para>
/// It also says when the code under test starts waiting: every timer armed with a finite due time
/// is announced through <see cref="NextWaitAsync"/>, so a test can advance exactly by the wait the
/// code chose; or <see cref="RunUntilCompleteAsync"/> drives a policy step by step, jumping to each
/// timer it arms after its last <see cref="Mark"/>.
/// </para>
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();
    private readonly Channel<bool> _steps = Channel.CreateUnbounded<bool>();
    private DateTimeOffset _now;
    private long _ticks;
    private long _nextSequence;
    private long _lastMark;

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

    /// <summary>The next wait the code under test armed (real-time bound: 10 s).</summary>
    public async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        return await _waits.Reader.ReadAsync(bound.Token);
    }

    /// <summary>Notes that the code under test did something (an attempt); timers armed after it count as its next step.</summary>
    public void Mark()
    {
        lock (_gate)
        {
            _lastMark = _nextSequence++;
        }

        _steps.Writer.TryWrite(true);
    }

    /// <summary>
    /// Runs virtual time forward until <paramref name="task"/> completes. Each step waits (in real time,
    /// bounded) until the code under test finished or armed a timer after its last <see cref="Mark"/>,
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
                    if (_timers.Exists(t => t.Armed > _lastMark))
                    {
                        wait = TimeSpan.FromTicks(_timers.Min(t => t.DueTicks) - _ticks);
                        break;
                    }
                }

                var signal = _steps.Reader.WaitToReadAsync(timeout.Token).AsTask();
                await Task.WhenAny(task, signal);
                if (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException("The code under test neither finished nor armed a timer.");
                }

                while (_steps.Reader.TryRead(out _))
                {
                }
            }

            if (task.IsCompleted)
            {
                return await task;
            }

            lock (_gate)
            {
                _lastMark = _nextSequence - 1;
            }

            Advance(wait!.Value);
        }

        throw new InvalidOperationException("The code under test did not finish within the allowed steps.");
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
            timer.Armed = timer.Sequence;
            _timers.Add(timer);
        }

        _waits.Writer.TryWrite(dueTime);
        _steps.Writer.TryWrite(true);
        return dueTime == TimeSpan.Zero;
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

        /// <summary>Order among timers due at the same time; renewed each period.</summary>
        public long Sequence { get; set; }

        /// <summary>When the code under test last armed it (a period does not count).</summary>
        public long Armed { get; set; }

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
