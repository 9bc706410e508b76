namespace Proxy.Actors.Runtime;

/// <summary>How many messages an actor's mailbox may hold.</summary>
public sealed record MailboxOptions
{
    private MailboxOptions(int? capacity) => Capacity = capacity;

    /// <summary>No limit: <c>Tell</c> only fails once the actor has stopped.</summary>
    public static MailboxOptions Unbounded { get; } = new((int?)null);

    /// <summary>The most user messages queued at once, or null when unbounded.</summary>
    public int? Capacity { get; }

    /// <summary>
    /// At most <paramref name="capacity"/> queued messages: <c>Tell</c> on a full mailbox is a dead
    /// letter, <c>SendAsync</c> waits for room. Timer ticks and death-watch notices are never refused.
    /// </summary>
    public static MailboxOptions Bounded(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        return new MailboxOptions(capacity);
    }
}
