namespace Qwen.Emulator.Chat;

/// <summary>How content deltas are shaped (the <c>stutter=</c> switch).</summary>
internal enum StutterKind
{
    /// <summary>Proper deltas.</summary>
    None,

    /// <summary>The first N content chunks are cumulative snapshots, the rest deltas.</summary>
    Cumulative,

    /// <summary>Every chunk carries the whole text so far (DashScope native style).</summary>
    CumulativeAll,

    /// <summary>N content events, chosen from the seed, are sent twice in a row.</summary>
    Duplicate,

    /// <summary>A clean stream made of the shapes a naive repair mistakes for stutter.</summary>
    Tricky,
}
