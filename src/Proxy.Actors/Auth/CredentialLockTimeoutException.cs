namespace Proxy.Actors.Auth;

/// <summary>The credential refresh lock stayed held by someone else through every retry.</summary>
internal sealed class CredentialLockTimeoutException : Exception
{
    public CredentialLockTimeoutException()
        : this("The credential refresh lock could not be taken.")
    {
    }

    public CredentialLockTimeoutException(string message)
        : base(message)
    {
    }

    public CredentialLockTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
