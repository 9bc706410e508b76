namespace Qwen.Emulator.OAuth;

/// <summary>The answer to one device-grant poll, in the order the checks run.</summary>
internal enum PollOutcome
{
    UnknownCode,
    AlreadyUsed,
    Expired,
    SlowDown,
    MissingVerifier,
    WrongVerifier,
    Denied,
    Pending,
    Approved,
}
