using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Proxy.Web.Tests.TestSupport;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also announces each wait the code under test arms, so a
/// test can step a polling loop through its waits (<see cref="NextWaitAsync"/>, then <c>Advance</c>)
/// without guessing them.
/// </summary>
internal sealed class SteppingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _waits = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _waits.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>The next wait the code under test armed (real-time bound: 10 s).</summary>
    public async Task<TimeSpan> NextWaitAsync(CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(10));
        return await _waits.Reader.ReadAsync(bound.Token);
    }
}
