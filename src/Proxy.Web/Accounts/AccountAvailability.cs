namespace Proxy.Web.Accounts;

/// <summary>Whether an account can take a request now, and if not, why (as <c>/health/detailed</c> names it).</summary>
internal enum AccountAvailability
{
    /// <summary>Takes requests.</summary>
    Available,

    /// <summary>Resting after a quota or rate-limit answer until its cooldown ends (or a trial succeeds).</summary>
    CoolingDown,

    /// <summary>Its circuit breaker is open.</summary>
    CircuitOpen,

    /// <summary>As many requests in flight as its <c>max_concurrent</c>.</summary>
    AtCapacity,

    /// <summary>A Qwen OAuth account without a usable credential: a login is needed.</summary>
    AuthRequired,

    /// <summary>The upstream rejected its key (<c>invalid_api_key</c>); it stays out until the key is replaced.</summary>
    Dead,
}

/// <summary>The names of <see cref="AccountAvailability"/> on the wire.</summary>
internal static class AccountAvailabilityNames
{
    public static string ToWire(this AccountAvailability availability) => availability switch
    {
        AccountAvailability.CoolingDown => "cooling_down",
        AccountAvailability.CircuitOpen => "circuit_open",
        AccountAvailability.AtCapacity => "at_capacity",
        AccountAvailability.AuthRequired => "auth_required",
        AccountAvailability.Dead => "dead",
        _ => "available",
    };
}
