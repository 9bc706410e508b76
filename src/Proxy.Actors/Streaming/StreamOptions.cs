namespace Proxy.Actors.Streaming;

/// <summary>Limits of one stream; the defaults are the contract's.</summary>
public sealed record StreamOptions
{
    public static StreamOptions Default { get; } = new();

    /// <summary>Longest upstream silence inside a stream (READ_TIMEOUT_SECONDS).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Longest wait for the first event of an attempt; a miss is retried while nothing was sent.</summary>
    public TimeSpan FirstByteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A <c>: keep-alive</c> comment goes out after this much silence towards the client; zero turns it off.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Whole-stream deadline (STREAMING_TIMEOUT_SECONDS).</summary>
    public TimeSpan StreamTimeout { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>How often the actor checks its silences; the precision of the two timeouts above.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether cumulative ("stuttering") content is repaired.</summary>
    public bool RepairEnabled { get; init; } = true;

    /// <summary>Limits of the repair (buffer size, hold time).</summary>
    internal RepairOptions Repair { get; init; } = RepairOptions.Default;

    /// <summary>Most bytes of events the repair may hold back (STREAMING_BUFFER_SIZE, 4096).</summary>
    public int BufferSize
    {
        get => Repair.BufferSize;
        init => Repair = Repair with { BufferSize = value };
    }

    /// <summary>
    /// Longest time the repair may hold an ambiguous event (STUTTER_MAX_HOLD, 2 s). Only a stream that opens with a
    /// repeat ("=" then "==") is ever held, from its second content event on, until the next event
    /// decides; the first content event is never held, so time to first token is untouched.
    /// </summary>
    public TimeSpan MaxHoldTime
    {
        get => Repair.MaxHoldTime;
        init => Repair = Repair with { MaxHoldTime = value };
    }

    /// <summary>Upstream events read ahead of the client at most (back-pressure).</summary>
    public int MailboxCapacity { get; init; } = 32;

    /// <summary>Copy with the repair's byte bound (STREAMING_BUFFER_SIZE).</summary>
    public StreamOptions WithBufferSize(int bytes) => this with { Repair = Repair with { BufferSize = bytes } };

    /// <summary>Copy with the repair's hold bound.</summary>
    public StreamOptions WithMaxHoldTime(TimeSpan hold) => this with { Repair = Repair with { MaxHoldTime = hold } };
}
