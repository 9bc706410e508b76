using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Qwen.Emulator.OAuth;

/// <summary>Device codes by device code and by user code; thread-safe.</summary>
internal sealed class DeviceStore
{
    private const string UserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

    private readonly ConcurrentDictionary<string, DeviceAuthorization> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceAuthorization> _byUserCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _waitersGate = new();
    private readonly List<TaskCompletionSource<string>> _waiters = [];

    public DeviceAuthorization Create(string codeChallenge, string scope, DateTimeOffset expiresAt, bool approved)
    {
        while (true)
        {
            var userCode = RandomNumberGenerator.GetString(UserCodeAlphabet, 4) + "-" + RandomNumberGenerator.GetString(UserCodeAlphabet, 4);
            var deviceCode = "emu_dc_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
            var device = new DeviceAuthorization(deviceCode, userCode, codeChallenge, scope, expiresAt);
            if (!_byUserCode.TryAdd(userCode, device))
            {
                continue;
            }

            if (approved)
            {
                device.Decide(approve: true);
            }

            _byDeviceCode[deviceCode] = device;
            TaskCompletionSource<string>[] waiters;
            lock (_waitersGate)
            {
                waiters = [.. _waiters];
                _waiters.Clear();
            }

            foreach (var waiter in waiters)
            {
                waiter.TrySetResult(userCode);
            }

            return device;
        }
    }

    public DeviceAuthorization? ByDeviceCode(string deviceCode) => _byDeviceCode.GetValueOrDefault(deviceCode);

    public DeviceAuthorization? ByUserCode(string userCode) => _byUserCode.GetValueOrDefault(userCode);

    public IReadOnlyList<string> PendingUserCodes(DateTimeOffset now) =>
        [.. _byUserCode.Values.Where(d => d.Status == DeviceStatus.Pending && now < d.ExpiresAt).Select(d => d.UserCode)];

    /// <summary>A user code still pending now, or the next one issued.</summary>
    public Task<string> WaitForPendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersGate)
        {
            var pending = PendingUserCodes(now);
            if (pending.Count > 0)
            {
                return Task.FromResult(pending[^1]);
            }

            _waiters.Add(tcs);
        }

        return tcs.Task.WaitAsync(cancellationToken);
    }
}
