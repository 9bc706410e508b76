namespace Qwen.Emulator.Chat;

/// <summary>Where a chat answer's bytes go: Kestrel's response pipe, or the raw socket for a cut.</summary>
internal abstract class EventOutput
{
    public abstract void Write(ReadOnlySpan<byte> bytes);

    /// <summary>Sends what was written; false when the client is gone.</summary>
    public abstract ValueTask<bool> FlushAsync(CancellationToken cancellationToken);
}
