namespace Proxy.Actors.Resilience;

/// <summary>When an account's circuit opens and how it tries again.</summary>
internal sealed record BreakerOptions
{
    /// <summary>
    /// The fewest failures within <see cref="FailureWindow"/> that can open the circuit (STREAMING_MAX_ERRORS).
    /// The circuit opens when the window holds at least this many failures, at least
    /// <see cref="MinimumThroughput"/> outcomes, and failures are at least <see cref="FailureRatio"/> of them.
    /// </summary>
    public int MaxFailures { get; init; } = 10;

    /// <summary>The sampling window: how far back outcomes count.</summary>
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The share of failed outcomes in the window that opens the circuit (0.5: half of them).</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>The fewest outcomes in the window before the ratio is judged at all.</summary>
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>Time open before the first half-open trial; it doubles with each opening in a row.</summary>
    public TimeSpan BaseOpenDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest time open before a trial.</summary>
    public TimeSpan MaxOpenDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Each open delay is spread by up to this fraction either way (0.2: ±20 %).</summary>
    public double Jitter { get; init; } = 0.2;

    /// <summary>A trial that took its permit but reported nothing for this long counts as failed.</summary>
    public TimeSpan TrialTimeout { get; init; } = TimeSpan.FromMinutes(16);

    /// <summary>What a request refused during a half-open trial is told to wait.</summary>
    public TimeSpan HalfOpenRetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Source of jitter in [0, 1); the shared random generator when not set.</summary>
    public Func<double>? Randomizer { get; init; }

    public BreakerOptions Validate()
    {
        Require(MaxFailures >= 1, nameof(MaxFailures));
        Require(FailureWindow > TimeSpan.Zero, nameof(FailureWindow));
        Require(FailureRatio is > 0 and <= 1, nameof(FailureRatio));
        Require(MinimumThroughput >= 1, nameof(MinimumThroughput));
        Require(BaseOpenDelay > TimeSpan.Zero, nameof(BaseOpenDelay));
        Require(MaxOpenDelay >= BaseOpenDelay, nameof(MaxOpenDelay));
        Require(Jitter is >= 0 and < 1, nameof(Jitter));
        Require(TrialTimeout > TimeSpan.Zero, nameof(TrialTimeout));
        Require(HalfOpenRetryAfter > TimeSpan.Zero, nameof(HalfOpenRetryAfter));
        return this;

        static void Require(bool ok, string name)
        {
            if (!ok)
            {
                throw new ArgumentException($"Circuit breaker option {name} is out of range.", name);
            }
        }
    }
}
