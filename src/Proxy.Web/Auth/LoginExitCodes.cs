namespace Proxy.Web.Auth;

/// <summary>Exit codes of the <c>login</c> command: one per way a login can end.</summary>
public static class LoginExitCodes
{
    public const int Success = 0;

    /// <summary>Something else failed (e.g. the credential could not be written).</summary>
    public const int Failed = 1;

    /// <summary>The configuration is invalid (same code as the server's start-up).</summary>
    public const int ConfigurationError = 2;

    /// <summary>The user denied the login request.</summary>
    public const int Denied = 3;

    /// <summary>The login code expired before it was approved.</summary>
    public const int Expired = 4;

    /// <summary>The Qwen OAuth server could not be reached (or kept failing).</summary>
    public const int NetworkError = 5;

    /// <summary>The OAuth server rejected the login (401) or answered outside the protocol.</summary>
    public const int Rejected = 6;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
