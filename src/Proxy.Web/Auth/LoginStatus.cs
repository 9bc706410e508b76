namespace Proxy.Web.Auth;

/// <summary>Where the server-side device login stands.</summary>
internal enum LoginPhase
{
    /// <summary>No login started since the server started.</summary>
    Idle,

    /// <summary>Waiting for the user to approve the code.</summary>
    Pending,

    /// <summary>Approved; the credential is saved and in use.</summary>
    Approved,

    Denied,

    Expired,

    /// <summary>The OAuth server failed, rejected the login, or the credential could not be saved.</summary>
    Failed,
}

/// <summary>What <c>/auth</c> shows of the current login. Holds no secret (never the device code).</summary>
internal sealed record LoginStatus(
    LoginPhase Phase,
    string? UserCode,
    Uri? VerificationUri,
    Uri? VerificationUriComplete,
    DateTimeOffset? ExpiresAt,
    string? Message)
{
    public static readonly LoginStatus Idle = new(LoginPhase.Idle, null, null, null, null, null);
}
