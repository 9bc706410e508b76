using System.Globalization;
using Proxy.Actors.Auth;
using Proxy.Web.Health;

namespace Proxy.Web.Auth;

/// <summary><c>/health/ready</c> from the token manager's published snapshot (never refreshes).</summary>
internal sealed class TokenManagerReadinessProbe(TokenManager tokens, TimeProvider time) : IReadinessProbe
{
    public ReadinessReport Check()
    {
        var snapshot = tokens.Snapshot;
        return snapshot.State switch
        {
            AuthState.NoCredential => new ReadinessReport(false, $"account {snapshot.Account}: no credential; log in at /auth"),
            AuthState.Dead => new ReadinessReport(false, $"account {snapshot.Account}: credential rejected ({snapshot.LastError}); log in at /auth"),
            _ when snapshot.ExpiresAt <= time.GetUtcNow() => new ReadinessReport(false, $"account {snapshot.Account}: token expired; refresh failing ({snapshot.LastError ?? "retrying"})"),
            _ => new ReadinessReport(true, string.Create(CultureInfo.InvariantCulture, $"account {snapshot.Account}: token valid until {snapshot.ExpiresAt:O}")),
        };
    }
}

/// <summary>The account line of <c>/health/detailed</c> from the token manager's published snapshot.</summary>
internal sealed class TokenManagerAccountStatusProvider(TokenManager tokens, TimeProvider time) : IAccountStatusProvider
{
    public IReadOnlyList<AccountStatus> GetAccounts()
    {
        var snapshot = tokens.Snapshot;
        var state = snapshot.State switch
        {
            AuthState.NoCredential or AuthState.Dead => "login_required",
            AuthState.Refreshing => "refreshing",
            _ when snapshot.ExpiresAt <= time.GetUtcNow() => "expired",
            _ => "valid",
        };
        var detail = snapshot.LastError ?? string.Create(
            CultureInfo.InvariantCulture,
            $"refreshed {snapshot.RefreshCount} times{(snapshot.LastRefreshAt is { } at ? $", last at {at:O}" : string.Empty)}");
        return [new AccountStatus(snapshot.Account, state, snapshot.ExpiresAt, detail)];
    }
}
