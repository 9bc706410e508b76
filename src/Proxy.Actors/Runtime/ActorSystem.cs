using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Proxy.Actors.Runtime;

/// <summary>
/// The home of a tree of actors: spawns top-level actors (supervised with
/// <see cref="SupervisorStrategy.Default"/>), counts dead letters and stops everything.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ActorCellBase> _topLevel = new(StringComparer.Ordinal);
    private long _deadLetters;
    private Task? _stopped;

    public ActorSystem(string name, TimeProvider? time = null, ILoggerFactory? loggerFactory = null)
    {
        ValidateName(name);
        Name = name;
        Time = time ?? TimeProvider.System;
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        RuntimeLog = LoggerFactory.CreateLogger<ActorSystem>();
    }

    public string Name { get; }

    public TimeProvider Time { get; }

    /// <summary>Messages that reached no actor: sent to a stopped actor, refused by a full mailbox, or left queued at stop.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    internal ILoggerFactory LoggerFactory { get; }

    internal ILogger RuntimeLog { get; }

    internal static SupervisorStrategy GuardianStrategy => SupervisorStrategy.Default;

    /// <summary>Creates a top-level actor. The factory runs at once, on this thread; PreStart runs on the actor's loop.</summary>
    public IActorRef<T> Spawn<T>(Func<Actor<T>> factory, string name, MailboxOptions? mailbox = null) =>
        ActorCell<T>.Spawn(this, null, factory, name, mailbox);

    /// <summary>
    /// Stops every actor, children before parents, running each PostStop and failing every pending
    /// ask. Idempotent; <paramref name="ct"/> only stops the waiting, not the stopping.
    /// </summary>
    public Task StopAsync(CancellationToken ct = default)
    {
        Task stopped;
        lock (_gate)
        {
            if (_stopped is null)
            {
                ActorCellBase[] actors = [.. _topLevel.Values];
                var terminations = new Task[actors.Length];
                for (int i = 0; i < actors.Length; i++)
                {
                    actors[i].RequestStop();
                    terminations[i] = actors[i].Terminated;
                }

                _stopped = Task.WhenAll(terminations);
            }

            stopped = _stopped;
        }

        return stopped.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    internal static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"An actor name cannot contain '/': '{name}'.", nameof(name));
        }
    }

    internal void AddTopLevel(ActorCellBase cell)
    {
        lock (_gate)
        {
            if (_stopped is not null)
            {
                throw new InvalidOperationException($"The actor system {Name} is stopping.");
            }

            if (!_topLevel.TryAdd(cell.Name, cell))
            {
                throw new InvalidOperationException($"The actor system {Name} already has an actor named '{cell.Name}'.");
            }
        }
    }

    internal void RemoveTopLevel(ActorCellBase cell)
    {
        lock (_gate)
        {
            if (_topLevel.TryGetValue(cell.Name, out ActorCellBase? found) && ReferenceEquals(found, cell))
            {
                _topLevel.Remove(cell.Name);
            }
        }
    }

    /// <summary>Counts and logs a message nobody will handle. Only the message's type is logged, never its content.</summary>
    internal void DeadLetter<T>(IActorRef recipient, T message, bool mailboxFull)
    {
        Interlocked.Increment(ref _deadLetters);
        string type = message is null ? typeof(T).Name : message.GetType().Name;
        if (mailboxFull)
        {
            Runtime.RuntimeLog.DeadLetterMailboxFull(RuntimeLog, type, recipient.Path);
        }
        else
        {
            Runtime.RuntimeLog.DeadLetterStopped(RuntimeLog, type, recipient.Path);
        }
    }
}
