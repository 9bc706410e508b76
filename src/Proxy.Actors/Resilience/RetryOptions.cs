namespace Proxy.Actors.Resilience;

/// <summary>How the opening phase of an upstream call is retried.</summary>
internal sealed record RetryOptions
{
    /// <summary>Retries after the first attempt (so at most this many + 1 attempts).</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>The first backoff delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest Retry-After the proxy waits out itself. An upstream asking for longer is not
    /// retried: the client gets the failure with the upstream's Retry-After instead.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The whole budget of attempts and delays: the request deadline (REQUEST_TIMEOUT_SECONDS or
    /// STREAMING_TIMEOUT_SECONDS). When it runs out the call ends as <see cref="FailureKind.UpstreamTimeout"/>.
    /// </summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Source of jitter in [0, 1); the shared random generator when not set.</summary>
    public Func<double>? Randomizer { get; init; }

    public RetryOptions Validate()
    {
        Require(MaxRetryAttempts is >= 0 and <= 100, nameof(MaxRetryAttempts));
        Require(BaseDelay > TimeSpan.Zero && BaseDelay <= TimeSpan.FromDays(1), nameof(BaseDelay));
        Require(MaxDelay >= BaseDelay && MaxDelay <= TimeSpan.FromDays(1), nameof(MaxDelay));
        Require(MaxRetryAfter >= TimeSpan.Zero, nameof(MaxRetryAfter));
        Require(Budget >= TimeSpan.FromMilliseconds(10) && Budget <= TimeSpan.FromDays(1), nameof(Budget));
        return this;

        static void Require(bool ok, string name)
        {
            if (!ok)
            {
                throw new ArgumentException($"Retry option {name} is out of range.", name);
            }
        }
    }
}
