namespace Qwen.Emulator.Chat;

/// <summary>Everything a chat request's behaviour depends on, after merging run default and header.</summary>
internal sealed record Scenario
{
    public static readonly Scenario Default = new();

    public int Chunks { get; init; } = 8;

    public int ChunkChars { get; init; } = 6;

    public int DelayMs { get; init; }

    public int FirstByteMs { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>Send the usage chunk even when the request did not ask for it.</summary>
    public bool Usage { get; init; }

    public int Tools { get; init; }

    public int Reasoning { get; init; }

    public bool Echo { get; init; }

    public StutterKind Stutter { get; init; }

    /// <summary>N of cumulative:N and duplicate:N.</summary>
    public int StutterCount { get; init; }

    public FaultType Fault { get; init; }

    /// <summary>The fault as written (<c>503</c>, <c>reset_mid:3</c>), for the request record.</summary>
    public string? FaultText { get; init; }

    /// <summary>Status of a <see cref="FaultType.Status"/> fault.</summary>
    public int FaultStatus { get; init; }

    /// <summary>K of reset_mid:K, stall_mid:K:MS and malformed:K.</summary>
    public int FaultAfter { get; init; }

    /// <summary>MS of stall_mid:K:MS.</summary>
    public int StallMs { get; init; }

    /// <summary>Retry-After seconds of a 429.</summary>
    public int RetryAfter { get; init; } = 1;

    /// <summary>Share of requests the fault applies to.</summary>
    public double FaultRate { get; init; } = 1;

    /// <summary>What a cached stream plan depends on.</summary>
    public PlanKey PlanKey => new(Seed, Chunks, ChunkChars, Tools, Reasoning, Stutter, StutterCount);
}

/// <summary>The part of a scenario that decides the streamed events.</summary>
internal readonly record struct PlanKey(int Seed, int Chunks, int ChunkChars, int Tools, int Reasoning, StutterKind Stutter, int StutterCount);
