namespace Proxy.Actors.Runtime;

/// <summary>
/// Applies the decider to the failed child only, and stops a child restarted more than
/// <c>maxNrOfRetries</c> times within <c>withinTimeRange</c>.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <param name="maxNrOfRetries">Restarts allowed within the window; negative means no limit.</param>
    /// <param name="withinTimeRange">The sliding window; <see cref="Timeout.InfiniteTimeSpan"/> counts restarts for the child's whole life.</param>
    /// <param name="decider">Maps an exception to a directive.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        if (withinTimeRange <= TimeSpan.Zero && withinTimeRange != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), withinTimeRange, "The window must be positive or infinite.");
        }

        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    public int MaxNrOfRetries { get; }

    public TimeSpan WithinTimeRange { get; }

    internal override Directive Decide(Exception error) => _decider(error);

    internal override bool TryRecordRestart(RestartHistory history, TimeProvider time)
    {
        if (MaxNrOfRetries < 0)
        {
            return true;
        }

        long now = time.GetTimestamp();
        if (WithinTimeRange != Timeout.InfiniteTimeSpan)
        {
            history.ForgetBefore(now, WithinTimeRange, time);
        }

        if (history.Count >= MaxNrOfRetries)
        {
            return false;
        }

        history.Add(now);
        return true;
    }
}
