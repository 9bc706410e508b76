namespace Proxy.Actors.Auth;

/// <summary>
/// A pending device login: what the user must see (<see cref="UserCode"/>, <see cref="VerificationUri"/>)
/// and what only the poller may know (<see cref="DeviceCode"/>, <see cref="CodeVerifier"/>).
/// <see cref="ToString"/> shows neither secret.
/// </summary>
internal sealed record DeviceAuthorization(
    string DeviceCode,
    string UserCode,
    Uri VerificationUri,
    Uri VerificationUriComplete,
    DateTimeOffset ExpiresAt,
    TimeSpan Interval,
    string CodeVerifier)
{
    public override string ToString() =>
        $"DeviceAuthorization(user code {UserCode}, {VerificationUri}, expires {ExpiresAt:O})";
}
