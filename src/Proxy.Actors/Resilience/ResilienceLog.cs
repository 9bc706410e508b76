using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Resilience;

/// <summary>Log events of retries, cooldowns and circuit breakers (event ids 2200-2299).</summary>
internal static partial class ResilienceLog
{
    [LoggerMessage(2200, LogLevel.Information, "Retrying upstream call after {Failure}: attempt {Attempt} in {Delay}")]
    public static partial void Retrying(ILogger logger, FailureKind failure, int attempt, TimeSpan delay);

    [LoggerMessage(2201, LogLevel.Warning, "Account {Account} is out of quota; refusing requests until {Until:O}")]
    public static partial void CooldownStarted(ILogger logger, string account, DateTimeOffset until);

    [LoggerMessage(2202, LogLevel.Warning, "Cooldown of account {Account} could not be shared with other instances: {Error}")]
    public static partial void CooldownNotShared(ILogger logger, string account, string error);

    [LoggerMessage(2210, LogLevel.Warning, "Circuit of account {Account} {From} -> {To} ({Reason})")]
    public static partial void CircuitChanged(ILogger logger, string account, CircuitState from, CircuitState to, string reason);

    [LoggerMessage(2211, LogLevel.Information, "Circuit of account {Account} opens for {Delay} (opening {Opening})")]
    public static partial void CircuitOpenFor(ILogger logger, string account, TimeSpan delay, int opening);
}
