namespace Proxy.Actors.Streaming;

/// <summary>
/// The result of inspecting one event payload: its flags and where the raw (still escaped) bytes
/// of <c>choices[0].delta.content</c> sit inside the payload, so the value can be compared and, if
/// needed, replaced without touching any other byte.
/// </summary>
internal readonly struct ChunkInfo
{
    public ChunkInfo(ChunkFlags flags, int contentStart, int contentLength, bool contentEscaped)
    {
        Flags = flags;
        ContentStart = contentStart;
        ContentLength = contentLength;
        ContentEscaped = contentEscaped;
    }

    public ChunkFlags Flags { get; }

    /// <summary>Offset of the first byte after the opening quote of the content string.</summary>
    public int ContentStart { get; }

    /// <summary>Length of the raw (escaped) content bytes between the quotes.</summary>
    public int ContentLength { get; }

    /// <summary>True when the raw content contains escape sequences.</summary>
    public bool ContentEscaped { get; }

    public bool HasContent => (Flags & ChunkFlags.Content) != 0;

    /// <summary>A content string with at least one character.</summary>
    public bool HasText => HasContent && ContentLength > 0;

    /// <summary>The chunk closes something (finish reason, usage tail, tool call, error): a natural point to decide.</summary>
    public bool IsBoundary =>
        (Flags & (ChunkFlags.FinishReason | ChunkFlags.Usage | ChunkFlags.EmptyChoices | ChunkFlags.ToolCalls | ChunkFlags.Error | ChunkFlags.NotAnObject)) != 0;

    public ReadOnlySpan<byte> RawContent(ReadOnlySpan<byte> payload) => payload.Slice(ContentStart, ContentLength);
}
