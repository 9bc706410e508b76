using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Runtime;

/// <summary>
/// One actor: its mailbox, its message loop and its lifecycle. The cell is the actor's reference
/// and its context; it outlives restarts, which only replace the instance.
/// </summary>
[SuppressMessage(
    "Reliability",
    "CA1001:Types that own disposable fields should be disposable",
    Justification = "Neither the semaphore (no wait handle is ever asked for) nor the source (no timer) holds an unmanaged resource; callers may still touch both after the actor stopped.")]
internal sealed class ActorCell<T> : ActorCellBase, IActorRef<T>, IActorContext<T>
{
    [ThreadStatic]
    private static ActorCell<T>? t_constructing;

    private readonly Func<Actor<T>> _factory;
    private readonly ChannelReader<Envelope<T>> _reader;
    private readonly ChannelWriter<Envelope<T>> _writer;
    private readonly SemaphoreSlim? _room;
    private readonly CancellationTokenSource _stoppedSignal = new();
    private readonly TimerScheduler<T> _timers;
    private readonly Dictionary<ActorCellBase, DeathWatch<T>> _watching = [];
    private readonly RestartHistory _restarts = new();
    private readonly ILogger _runtimeLog;
    private ILogger? _log;
    private volatile Actor<T>? _actor;
    private TaskCompletionSource<bool>? _escalationOutcome;

    public ActorCell(ActorSystem system, ActorCellBase? parent, string name, Func<Actor<T>> factory, MailboxOptions? mailbox)
        : base(system, parent, name)
    {
        _factory = factory;
        // Always unbounded underneath: timer ticks, death-watch notices and wake-ups must never be
        // refused. A bounded mailbox counts its user messages with _room instead.
        var channel = Channel.CreateUnbounded<Envelope<T>>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _reader = channel.Reader;
        _writer = channel.Writer;
        if (mailbox?.Capacity is int capacity)
        {
            _room = new SemaphoreSlim(capacity, capacity);
        }

        _timers = new TimerScheduler<T>(this);
        _runtimeLog = system.RuntimeLog;
    }

    private enum Recovery
    {
        Resumed,
        Restarted,
        Stopping,
    }

    /// <summary>The cell whose factory is running on this thread, read by the <see cref="Actor{T}"/> constructor.</summary>
    internal static ActorCell<T>? Constructing => t_constructing;

    public IActorRef<T> Self => this;

    public TimeProvider Time => System.Time;

    public ILogger Log => _log ??= System.LoggerFactory.CreateLogger(_actor?.GetType().FullName ?? typeof(Actor<T>).FullName!);

    public ITimerScheduler<T> Timers => _timers;

    public IReadOnlyCollection<IActorRef> Children => ChildrenSnapshot();

    public bool HasPendingMessages
    {
        get
        {
            // Stale ticks and wake-ups at the head are dropped here, so "pending" means a message
            // that will really be delivered (a writer that defers its flush on it is never stranded).
            while (_reader.TryPeek(out Envelope<T> envelope))
            {
                if (envelope.Guard is null || envelope.Guard.IsCurrent(envelope.Generation))
                {
                    return true;
                }

                _reader.TryRead(out _);
            }

            return false;
        }
    }

    public override SupervisorStrategy ChildStrategy => _actor?.StrategyForChildren ?? SupervisorStrategy.Default;

    public bool Tell(T message)
    {
        if (_room is not null && !_room.Wait(0))
        {
            System.DeadLetter(this, message, mailboxFull: !IsStopped);
            return false;
        }

        if (_writer.TryWrite(new Envelope<T>(message)))
        {
            return true;
        }

        _room?.Release();
        System.DeadLetter(this, message, mailboxFull: false);
        return false;
    }

    public ValueTask SendAsync(T message, CancellationToken ct = default)
    {
        if (ct.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(ct);
        }

        if (_room is null || _room.Wait(0, CancellationToken.None))
        {
            return Enqueue(message);
        }

        return SendWhenRoomAsync(message, ct);
    }

    public IActorRef<TChild> Spawn<TChild>(Func<Actor<TChild>> factory, string name, MailboxOptions? mailbox = null) =>
        ActorCell<TChild>.Spawn(System, this, factory, name, mailbox);

    public void Watch(IActorRef other, T terminatedMessage)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is not ActorCellBase target)
        {
            throw new ArgumentException($"Only actors of an actor system can be watched, not {other.GetType().Name}.", nameof(other));
        }

        if (ReferenceEquals(target, this))
        {
            return;
        }

        Unwatch(target);
        var watch = new DeathWatch<T>(this, target, terminatedMessage);
        _watching[target] = watch;
        target.AddWatcher(watch);
    }

    public void Unwatch(IActorRef other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other is ActorCellBase target && _watching.Remove(target, out DeathWatch<T>? watch))
        {
            watch.Active = false;
            target.RemoveWatcher(watch);
        }
    }

    public void Stop() => RequestStop();

    public void Stop(IActorRef child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (child is not ActorCellBase cell || !ReferenceEquals(cell.Parent, this))
        {
            throw new ArgumentException($"{child.Path} is not a child of {Path}.", nameof(child));
        }

        cell.RequestStop();
    }

    /// <summary>
    /// Registers a new actor under <paramref name="parent"/> (or the system), creates its first
    /// instance on the caller's thread, then runs its loop on the thread pool.
    /// </summary>
    internal static ActorCell<T> Spawn(ActorSystem system, ActorCellBase? parent, Func<Actor<T>> factory, string name, MailboxOptions? mailbox)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ActorSystem.ValidateName(name);
        var cell = new ActorCell<T>(system, parent, name, factory, mailbox);
        cell.Attach();
        try
        {
            cell._actor = cell.CreateInstance();
        }
        catch
        {
            // The constructor may have spawned children before it threw; they must not outlive it.
            cell.MarkStopping();
            _ = cell.StopChildrenAsync();
            cell.Detach();
            throw;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static cell => _ = cell.RunAsync(), cell, preferLocal: false);
        return cell;
    }

    /// <summary>Queues a timer tick or death-watch notice: never refused for lack of room.</summary>
    internal void EnqueueSystemMade(T message, EnvelopeGuard guard, int generation) =>
        _writer.TryWrite(new Envelope<T>(message, guard, generation));

    internal void ForgetWatch(DeathWatch<T> watch)
    {
        if (_watching.TryGetValue(watch.Target, out DeathWatch<T>? current) && ReferenceEquals(current, watch))
        {
            _watching.Remove(watch.Target);
        }
    }

    protected override void WakeUp()
    {
        if (IsStopping)
        {
            Volatile.Read(ref _escalationOutcome)?.TrySetResult(false);
        }

        _writer.TryWrite(Envelope<T>.WakeUp);
    }

    private ValueTask Enqueue(T message)
    {
        if (_writer.TryWrite(new Envelope<T>(message)))
        {
            return default;
        }

        _room?.Release();
        System.DeadLetter(this, message, mailboxFull: false);
        return ValueTask.FromException(ActorStoppedException.For(Path));
    }

    private async ValueTask SendWhenRoomAsync(T message, CancellationToken ct)
    {
        using (var waitToken = CancellationTokenSource.CreateLinkedTokenSource(ct, _stoppedSignal.Token))
        {
            try
            {
                await _room!.WaitAsync(waitToken.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                System.DeadLetter(this, message, mailboxFull: false);
                throw ActorStoppedException.For(Path);
            }
        }

        await Enqueue(message).ConfigureAwait(false);
    }

    private Actor<T> CreateInstance()
    {
        ActorCell<T>? outer = t_constructing;
        t_constructing = this;
        try
        {
            Actor<T> actor = _factory() ?? throw new InvalidOperationException($"The factory of {Path} returned null.");
            if (!ReferenceEquals(actor.Cell, this))
            {
                throw new InvalidOperationException($"The factory of {Path} must create a new actor instance each time it is called.");
            }

            return actor;
        }
        finally
        {
            t_constructing = outer;
        }
    }

    private async Task RunAsync()
    {
        try
        {
            if (await StartInstanceAsync().ConfigureAwait(false))
            {
                await ProcessMessagesAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error)
        {
            RuntimeLog.LoopFailed(_runtimeLog, Path, error);
        }

        await StopAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> StartInstanceAsync()
    {
        try
        {
            await _actor!.RunPreStart().ConfigureAwait(false);
            return true;
        }
        catch (Exception error)
        {
            return await RecoverAsync(error).ConfigureAwait(false) != Recovery.Stopping;
        }
    }

    private async ValueTask ProcessMessagesAsync()
    {
        while (true)
        {
            if (NeedsAttention && !await HandleAttentionAsync().ConfigureAwait(false))
            {
                return;
            }

            if (!_reader.TryRead(out Envelope<T> envelope))
            {
                if (!await _reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (!Accept(envelope))
            {
                continue;
            }

            try
            {
                await _actor!.Handle(envelope.Message).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                if (await RecoverAsync(error).ConfigureAwait(false) == Recovery.Stopping)
                {
                    return;
                }
            }
        }
    }

    private bool Accept(in Envelope<T> envelope)
    {
        if (envelope.Guard is null)
        {
            _room?.Release();
            return true;
        }

        return envelope.Guard.TryConsume(envelope.Generation);
    }

    /// <summary>Handles a stop request or a child's escalation; false means stop now.</summary>
    private async ValueTask<bool> HandleAttentionAsync()
    {
        ClearAttention();
        while (!IsStopping && TryDequeueEscalation(out Escalation escalation))
        {
            // A child stopped meanwhile (say by an earlier restart of this actor) needs no decision.
            if (escalation.Child.IsStopping)
            {
                escalation.Outcome.TrySetResult(false);
                continue;
            }

            Recovery recovery = await RecoverAsync(escalation.Error).ConfigureAwait(false);
            escalation.Outcome.TrySetResult(recovery == Recovery.Resumed);
            if (recovery == Recovery.Stopping)
            {
                return false;
            }
        }

        return !IsStopping;
    }

    /// <summary>Applies the supervisor's directive to a failure of this actor.</summary>
    private async ValueTask<Recovery> RecoverAsync(Exception error)
    {
        while (true)
        {
            SupervisorStrategy strategy = Parent?.ChildStrategy ?? ActorSystem.GuardianStrategy;
            Directive directive = Decide(strategy, error);
            RuntimeLog.ActorFailed(_runtimeLog, Path, directive, error);
            switch (directive)
            {
                case Directive.Resume when _actor is not null:
                    return Recovery.Resumed;

                case Directive.Restart:
                    if (!strategy.TryRecordRestart(_restarts, System.Time))
                    {
                        RuntimeLog.RestartLimitReached(_runtimeLog, Path, _restarts.Count);
                        MarkStopping();
                        return Recovery.Stopping;
                    }

                    Exception? again = await RestartAsync(error).ConfigureAwait(false);
                    if (again is null)
                    {
                        return Recovery.Restarted;
                    }

                    error = again;
                    continue;

                case Directive.Escalate when Parent is not null:
                    if (await EscalateAsync(Parent, error).ConfigureAwait(false) && _actor is not null)
                    {
                        return Recovery.Resumed;
                    }

                    MarkStopping();
                    return Recovery.Stopping;

                default:
                    MarkStopping();
                    return Recovery.Stopping;
            }
        }
    }

    private Directive Decide(SupervisorStrategy strategy, Exception error)
    {
        try
        {
            return strategy.Decide(error);
        }
        catch (Exception deciderError)
        {
            RuntimeLog.DeciderFailed(_runtimeLog, Path, deciderError);
            return Directive.Stop;
        }
    }

    /// <summary>Suspends until the parent has dealt with the failure: true to resume, false to stop.</summary>
    private async ValueTask<bool> EscalateAsync(ActorCellBase parent, Exception error)
    {
        var outcome = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _escalationOutcome, outcome);
        if (IsStopping)
        {
            outcome.TrySetResult(false);
        }
        else
        {
            parent.Escalate(new Escalation(this, error, outcome));
        }

        bool resume = await outcome.Task.ConfigureAwait(false);
        Interlocked.Exchange(ref _escalationOutcome, null);
        return resume;
    }

    /// <summary>Replaces the instance, keeping the mailbox; returns the error if the new one failed to start.</summary>
    private async ValueTask<Exception?> RestartAsync(Exception reason)
    {
        _timers.CancelAll();
        UnwatchAll();
        await StopChildrenAsync().ConfigureAwait(false);
        Actor<T>? failed = _actor;
        _actor = null;
        if (failed is not null)
        {
            try
            {
                await failed.RunPreRestart(reason).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                RuntimeLog.PreRestartFailed(_runtimeLog, Path, error);
            }
        }

        try
        {
            _actor = CreateInstance();
            await _actor.RunPostRestart(reason).ConfigureAwait(false);
            return null;
        }
        catch (Exception error)
        {
            return error;
        }
    }

    /// <summary>Children first, then PostStop, then dead letters, failed asks and death-watch notices.</summary>
    private async Task StopAsync()
    {
        MarkStopping();
        _timers.CancelAll();
        UnwatchAll();
        await StopChildrenAsync().ConfigureAwait(false);
        Actor<T>? last = _actor;
        if (last is not null)
        {
            try
            {
                await last.RunPostStop().ConfigureAwait(false);
            }
            catch (Exception error)
            {
                RuntimeLog.PostStopFailed(_runtimeLog, Path, error);
            }
        }

        _actor = null;
        _timers.CancelAll();
        MarkStopped();
        _writer.TryComplete();
        while (_reader.TryRead(out Envelope<T> envelope))
        {
            if (envelope.Guard is null || envelope.Guard.IsCurrent(envelope.Generation))
            {
                System.DeadLetter(this, envelope.Message, mailboxFull: false);
            }
        }

        _stoppedSignal.Cancel();
        Close();
    }

    private void UnwatchAll()
    {
        foreach (DeathWatch<T> watch in _watching.Values)
        {
            watch.Active = false;
            watch.Target.RemoveWatcher(watch);
        }

        _watching.Clear();
    }
}
