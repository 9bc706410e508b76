namespace Qwen.Emulator.Chat;

/// <summary>What goes wrong with a chat request (the <c>fault=</c> switch).</summary>
internal enum FaultType
{
    None,

    /// <summary>An error status with an OpenAI/Qwen error body (500, 502, 503, 400, 401, 429, any 4xx/5xx).</summary>
    Status,

    /// <summary>429 with Qwen's free-quota wording and code insufficient_quota.</summary>
    Quota429,

    /// <summary>403 with quota wording and code quota_exceeded.</summary>
    Quota403,

    /// <summary>The connection is aborted before any header.</summary>
    ResetBefore,

    /// <summary>The connection is aborted after K events.</summary>
    ResetMid,

    /// <summary>Silence for MS milliseconds after K events, then the rest.</summary>
    StallMid,

    /// <summary>The stream ends cleanly but without <c>data: [DONE]</c>.</summary>
    NoDone,

    /// <summary>Event K loses its last byte, so it is not valid JSON.</summary>
    Malformed,
}
