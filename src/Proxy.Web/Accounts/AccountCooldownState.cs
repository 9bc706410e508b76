using Proxy.Actors.Resilience;

namespace Proxy.Web.Accounts;

/// <summary>An account's cooldown as published: resting until <see cref="Until"/>; one trial may go at <see cref="TrialAt"/>.</summary>
/// <param name="Until">When the account takes requests again by itself.</param>
/// <param name="TrialAt">When one request may try it before <see cref="Until"/>; a success ends the cooldown.</param>
/// <param name="Kind">The failure that started it (quota or rate limit).</param>
internal sealed record AccountCooldownState(DateTimeOffset Until, DateTimeOffset TrialAt, FailureKind Kind);
