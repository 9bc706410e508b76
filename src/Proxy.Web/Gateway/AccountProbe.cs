using Proxy.Actors.Auth;
using Proxy.Web.Accounts;

namespace Proxy.Web.Gateway;

/// <summary>
/// What an account's actors publish, for the pool: an open breaker (until its trial is due), a
/// cooldown or dead mark shared by another instance (cluster mode), a Qwen OAuth credential that
/// needs a login.
/// </summary>
internal sealed class AccountProbe(UpstreamAccount account, bool sharedCooldown, TokenManager? tokens) : IAccountProbe
{
    public AccountAvailability Check(DateTimeOffset now, out DateTimeOffset? until)
    {
        until = null;
        var breaker = account.Breaker.Snapshot;
        if (breaker.State == Actors.Resilience.CircuitState.Open && (breaker.TrialAt is not { } trial || now < trial))
        {
            until = breaker.TrialAt;
            return AccountAvailability.CircuitOpen;
        }

        if (sharedCooldown && account.Gate.Cooldown.Snapshot is { } cooldown && cooldown.IsActive(now))
        {
            if (cooldown.Reason == SharedDeadMarks.Reason)
            {
                return AccountAvailability.Dead;
            }

            until = cooldown.Until;
            return AccountAvailability.CoolingDown;
        }

        if (tokens?.Snapshot.State is AuthState.NoCredential or AuthState.Dead)
        {
            return AccountAvailability.AuthRequired;
        }

        return AccountAvailability.Available;
    }
}
