using System.Threading.Channels;

namespace Proxy.TestKit;

/// <summary>
/// Virtual time that also says when code under test starts waiting: every timer armed with a
/// finite due time is announced through <see cref="NextWaitAsync"/>, so a test can advance exactly
/// by the wait the code chose; or <see cref="RunUntilCompleteAsync"/> drives a policy step by step,
/// jumping to each timer it schedules after its last <see cref="Mark"/>.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();
    private readonly Channel<bool> _steps = Channel.CreateUnbounded<bool>();
    private DateTimeOffset _now;
    private long _sequence;
    private long _lastMark;

    public VirtualClock(DateTimeOffset? start = null) =>
        _now = start ?? new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

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
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>The next wait the code under test armed (real-time bound: 10 s).</summary>
    public async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        return await _waits.Reader.ReadAsync(bound.Token);
    }

    /// <summary>Moves time forward, firing due timers in due order.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            VirtualTimer? due = null;
            lock (_gate)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt <= target && (due is null || timer.DueAt < due.DueAt))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt;
                }

                if (due.Period > TimeSpan.Zero)
                {
                    due.DueAt = _now + due.Period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>Notes that the code under test did something (an attempt); timers armed after it count as its next step.</summary>
    public void Mark()
    {
        lock (_gate)
        {
            _lastMark = ++_sequence;
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
                    if (_timers.Exists(t => t.Sequence > _lastMark))
                    {
                        wait = _timers.Min(t => t.DueAt) - _now;
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
                _lastMark = _sequence;
            }

            Advance(wait!.Value);
        }

        throw new InvalidOperationException("The code under test did not finish within the allowed steps.");
    }

    private void Arm(VirtualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.DueAt = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Sequence = ++_sequence;
            _timers.Add(timer);
        }

        _waits.Writer.TryWrite(dueTime);
        _steps.Writer.TryWrite(true);
    }

    private void Disarm(VirtualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            clock.Arm(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
