namespace Proxy.Actors.Auth;

/// <summary>A device code could not be obtained. <see cref="Status"/> says whether the network or the server failed.</summary>
internal sealed class DeviceFlowException : Exception
{
    public DeviceFlowException()
        : this(DeviceLoginStatus.ProtocolError, "The device login failed.")
    {
    }

    public DeviceFlowException(string message)
        : this(DeviceLoginStatus.ProtocolError, message)
    {
    }

    public DeviceFlowException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = DeviceLoginStatus.NetworkError;
    }

    public DeviceFlowException(DeviceLoginStatus status, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    public DeviceLoginStatus Status { get; }
}
