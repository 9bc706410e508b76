namespace Qwen.Emulator.OAuth;

internal enum AccessCheck
{
    Valid,
    Expired,
    Unknown,
}
