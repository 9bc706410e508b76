namespace Proxy.Actors.Runtime;

/// <summary>
/// The timers of one actor. Touched only from the actor's loop; the underlying timer callbacks
/// only queue a tick carrying the timer's generation, checked again when the tick is dequeued.
/// </summary>
internal sealed class TimerScheduler<T> : ITimerScheduler<T>
{
    private readonly ActorCell<T> _cell;
    private readonly Dictionary<object, TimerEntry> _timers = [];
    private int _generation;

    public TimerScheduler(ActorCell<T> cell) => _cell = cell;

    public void StartSingleTimer(object key, T message, TimeSpan delay) =>
        Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, T message, TimeSpan interval) =>
        StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, T message, TimeSpan initialDelay, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, initialDelay, interval);
    }

    public bool IsTimerActive(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _timers.ContainsKey(key);
    }

    public void Cancel(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_timers.Remove(key, out TimerEntry? entry))
        {
            entry.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (TimerEntry entry in _timers.Values)
        {
            entry.Dispose();
        }

        _timers.Clear();
    }

    private void Start(object key, T message, TimeSpan delay, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Cancel(key);
        if (_cell.IsStopping)
        {
            return;
        }

        var entry = new TimerEntry(this, key, message, unchecked(++_generation), period != Timeout.InfiniteTimeSpan);
        _timers[key] = entry;
        entry.Arm(_cell.System.Time, delay, period);
    }

    private sealed class TimerEntry : EnvelopeGuard, IDisposable
    {
        private readonly TimerScheduler<T> _owner;
        private readonly object _key;
        private readonly T _message;
        private readonly int _generation;
        private readonly bool _periodic;
        private ITimer? _timer;

        public TimerEntry(TimerScheduler<T> owner, object key, T message, int generation, bool periodic)
        {
            _owner = owner;
            _key = key;
            _message = message;
            _generation = generation;
            _periodic = periodic;
        }

        public void Arm(TimeProvider time, TimeSpan delay, TimeSpan period)
        {
            // Timer callbacks must not carry the caller's ambient context around for the timer's life.
            using (ExecutionContext.SuppressFlow())
            {
                _timer = time.CreateTimer(static state => ((TimerEntry)state!).Fire(), this, delay, period);
            }
        }

        public override bool IsCurrent(int generation) =>
            generation == _generation
            && _owner._timers.TryGetValue(_key, out TimerEntry? current)
            && ReferenceEquals(current, this);

        public override bool TryConsume(int generation)
        {
            if (!IsCurrent(generation))
            {
                return false;
            }

            if (!_periodic)
            {
                _owner._timers.Remove(_key);
                Dispose();
            }

            return true;
        }

        public void Dispose() => _timer?.Dispose();

        private void Fire() => _owner._cell.EnqueueSystemMade(_message, this, _generation);
    }
}
