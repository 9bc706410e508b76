namespace Proxy.Actors.Streaming;

/// <summary>Limits and thresholds of <see cref="StutterRepair"/>.</summary>
internal sealed record RepairOptions
{
    public static RepairOptions Default { get; } = new();

    /// <summary>Most bytes of events the repair may hold back (STREAMING_BUFFER_SIZE).</summary>
    public int BufferSize { get; init; } = 4096;

    /// <summary>
    /// Longest time an ambiguous event may be held before it is let through unchanged. Only the
    /// second and later content events of a stream that opens with a repeat ("=" then "==") are ever
    /// held, and only until the next event arrives, so this bounds the wait during an upstream pause;
    /// the first content event is never held.
    /// </summary>
    public TimeSpan MaxHoldTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Confidence at which consecutive snapshots are taken for stuttering.</summary>
    public double ConfirmScore { get; init; } = 3;

    /// <summary>A repeat arriving this soon after its original looks like a resent event.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Content events watched at the start of a stream (where stuttering happens).</summary>
    public int WatchEvents { get; init; } = 16;

    /// <summary>Text watched at the start of a stream; past this, the stream is taken as clean.</summary>
    public int WatchBytes { get; init; } = 1024;
}
