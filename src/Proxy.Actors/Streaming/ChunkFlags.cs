namespace Proxy.Actors.Streaming;

/// <summary>What one <c>chat.completion.chunk</c> carries, as far as the repair needs to know.</summary>
[Flags]
internal enum ChunkFlags
{
    None = 0,

    /// <summary><c>choices[0].delta.content</c> is a string (possibly empty).</summary>
    Content = 1 << 0,

    /// <summary><c>choices[0].delta.role</c> is set.</summary>
    Role = 1 << 1,

    /// <summary><c>choices[0].delta.tool_calls</c> is set.</summary>
    ToolCalls = 1 << 2,

    /// <summary><c>choices[0].delta.reasoning_content</c> (or <c>reasoning</c>) is set.</summary>
    Reasoning = 1 << 3,

    /// <summary><c>choices[0].finish_reason</c> is set: the choice is complete.</summary>
    FinishReason = 1 << 4,

    /// <summary>A non-null top-level <c>usage</c>.</summary>
    Usage = 1 << 5,

    /// <summary><c>choices</c> is an empty array (the include_usage tail chunk).</summary>
    EmptyChoices = 1 << 6,

    /// <summary>A choice other than index 0, or more than one choice (n &gt; 1).</summary>
    OtherChoice = 1 << 7,

    /// <summary>Another non-null field inside <c>delta</c>.</summary>
    OtherDelta = 1 << 8,

    /// <summary>A non-null top-level <c>error</c>.</summary>
    Error = 1 << 9,

    /// <summary>Valid JSON that is not an object (not a chunk at all).</summary>
    NotAnObject = 1 << 10,
}
