namespace Proxy.Actors.Auth;

/// <summary>How a device login ended.</summary>
internal enum DeviceLoginStatus
{
    /// <summary>The user approved; <see cref="DeviceLoginResult.Credentials"/> is set.</summary>
    Approved,

    /// <summary>The user denied the request (<c>access_denied</c>).</summary>
    Denied,

    /// <summary>The device code expired before approval (<c>expired_token</c> or its lifetime ran out).</summary>
    Expired,

    /// <summary>The token endpoint answered 401: the client or code was rejected.</summary>
    Rejected,

    /// <summary>The OAuth server could not be reached or kept failing.</summary>
    NetworkError,

    /// <summary>The OAuth server answered something the protocol does not allow.</summary>
    ProtocolError,
}

/// <summary>The outcome of polling a device login; expected failures are values, not exceptions.</summary>
internal sealed record DeviceLoginResult(DeviceLoginStatus Status, QwenCredentials? Credentials, string Message)
{
    public static DeviceLoginResult Approved(QwenCredentials credentials) =>
        new(DeviceLoginStatus.Approved, credentials, "Login approved.");

    public static DeviceLoginResult Fail(DeviceLoginStatus status, string message) => new(status, null, message);
}
