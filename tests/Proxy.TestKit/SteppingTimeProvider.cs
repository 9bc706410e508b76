using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Proxy.TestKit;

/// <summary>
/// The platform's <see cref="FakeTimeProvider"/> (it keeps the time and fires the timers, in
/// due order, when a test advances it) that also tells a test when the code under test starts to
/// wait. <see cref="FakeTimeProvider"/> keeps its timers to itself; a test of a retry loop or a
/// polling loop needs to know the wait the code chose, so every timer is seen on its way through:
/// <list type="bullet">
/// <item><see cref="NextWaitAsync"/> gives each finite wait as it is armed, so a test advances by exactly it;</item>
/// <item><see cref="RunUntilCompleteAsync{T}"/> drives a policy step by step: after each <see cref="Mark"/>
/// (an attempt) it waits until the code armed a timer, then jumps to the earliest timer pending.</item>
/// </list>
/// </summary>
public sealed class SteppingTimeProvider : FakeTimeProvider
{
    private readonly object _gate = new();
    private readonly List<SeenTimer> _pending = [];
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();
    private readonly Channel<bool> _steps = Channel.CreateUnbounded<bool>();
    private long _sequence;
    private long _lastMark;

    public SteppingTimeProvider()
        : this(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public SteppingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var seen = new SeenTimer(this);
        seen.Inner = base.CreateTimer(
            s =>
            {
                seen.Fired();
                callback(s);
            },
            state,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        seen.Change(dueTime, period);
        return seen;
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
            _lastMark = _sequence++;
        }

        _steps.Writer.TryWrite(true);
    }

    /// <summary>
    /// Runs virtual time forward until <paramref name="task"/> completes. Each step waits (in real time,
    /// bounded) until the code under test finished or armed a timer after its last <see cref="Mark"/>,
    /// then advances to the earliest pending timer.
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
                    if (_pending.Exists(t => t.Armed > _lastMark))
                    {
                        var now = GetUtcNow();
                        wait = _pending.Min(t => t.Due) - now;
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
                _lastMark = _sequence - 1;
            }

            Advance(wait!.Value < TimeSpan.Zero ? TimeSpan.Zero : wait.Value);
        }

        throw new InvalidOperationException("The code under test did not finish within the allowed steps.");
    }

    /// <summary>One timer as the code under test sees it: the platform's, with its due time and arming noted.</summary>
    private sealed class SeenTimer(SteppingTimeProvider owner) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset Due { get; private set; }

        /// <summary>When the code under test last armed it (a period does not count).</summary>
        public long Armed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                owner._pending.Remove(this);
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    Due = owner.GetUtcNow() + dueTime;
                    _period = period;
                    Armed = owner._sequence++;
                    owner._pending.Add(this);
                }
            }

            // Armed with the platform before it is announced: a test that advances as soon as it hears
            // of the wait must find the timer there.
            var changed = Inner.Change(dueTime, period);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                owner._waits.Writer.TryWrite(dueTime);
                owner._steps.Writer.TryWrite(true);
            }

            return changed;
        }

        /// <summary>Called as the platform fires it: a one-shot timer is no longer pending; a periodic one is due again a period on.</summary>
        public void Fired()
        {
            lock (owner._gate)
            {
                if (_period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero)
                {
                    owner._pending.Remove(this);
                }
                else
                {
                    Due += _period;
                }
            }
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                owner._pending.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
