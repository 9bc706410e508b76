using System.Security.Cryptography;
using System.Text;

namespace Qwen.Emulator.OAuth;

/// <summary>One device code and what the user did with it.</summary>
internal sealed class DeviceAuthorization(string deviceCode, string userCode, string codeChallenge, string scope, DateTimeOffset expiresAt)
{
    /// <summary>Polls closer than the minimum interval by less than this still count as on time (timer jitter).</summary>
    private static readonly TimeSpan PollSlack = TimeSpan.FromMilliseconds(25);

    private readonly Lock _gate = new();
    private DeviceStatus _status;
    private DateTimeOffset? _lastPoll;

    public string DeviceCode { get; } = deviceCode;

    public string UserCode { get; } = userCode;

    public string Scope { get; } = scope;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public DeviceStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>Approve or deny a pending code; false when it is no longer pending.</summary>
    public bool Decide(bool approve)
    {
        lock (_gate)
        {
            if (_status != DeviceStatus.Pending)
            {
                return false;
            }

            _status = approve ? DeviceStatus.Approved : DeviceStatus.Denied;
            return true;
        }
    }

    public PollOutcome Poll(string? codeVerifier, DateTimeOffset now, TimeSpan minInterval)
    {
        lock (_gate)
        {
            if (_status == DeviceStatus.Consumed)
            {
                return PollOutcome.AlreadyUsed;
            }

            if (now >= ExpiresAt)
            {
                return PollOutcome.Expired;
            }

            var previous = _lastPoll;
            _lastPoll = now;
            if (previous is { } last && minInterval > TimeSpan.Zero && now - last < minInterval - PollSlack)
            {
                return PollOutcome.SlowDown;
            }

            if (string.IsNullOrEmpty(codeVerifier))
            {
                return PollOutcome.MissingVerifier;
            }

            if (!string.Equals(Challenge(codeVerifier), codeChallenge, StringComparison.Ordinal))
            {
                return PollOutcome.WrongVerifier;
            }

            switch (_status)
            {
                case DeviceStatus.Denied:
                    return PollOutcome.Denied;
                case DeviceStatus.Pending:
                    return PollOutcome.Pending;
                default:
                    _status = DeviceStatus.Consumed;
                    return PollOutcome.Approved;
            }
        }
    }

    /// <summary>PKCE S256: base64url(SHA-256(ASCII verifier)) without padding.</summary>
    public static string Challenge(string codeVerifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
