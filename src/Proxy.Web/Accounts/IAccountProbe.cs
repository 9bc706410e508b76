namespace Proxy.Web.Accounts;

/// <summary>
/// What an account's actors publish about it (circuit breaker, token manager), read without waiting.
/// The pool asks it besides its own state (cooldown, dead mark, in-flight count).
/// </summary>
internal interface IAccountProbe
{
    /// <summary><see cref="AccountAvailability.Available"/>, or why not and until when (null: unknown).</summary>
    AccountAvailability Check(DateTimeOffset now, out DateTimeOffset? until);
}
