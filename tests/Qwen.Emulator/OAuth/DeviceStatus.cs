namespace Qwen.Emulator.OAuth;

internal enum DeviceStatus
{
    Pending,
    Approved,
    Denied,

    /// <summary>Tokens were issued for it; any further poll is invalid_grant.</summary>
    Consumed,
}
