using Proxy.TestKit;

namespace Proxy.Actors.Tests.Runtime;

public sealed class ManualTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);

    [Fact]
    public void Time_stands_still_until_advanced_and_clock_and_timestamp_move_together()
    {
        long before = _time.GetTimestamp();
        Assert.Equal(Start, _time.GetUtcNow());

        _time.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(Start.AddMilliseconds(1500), _time.GetUtcNow());
        Assert.Equal(TimeSpan.FromMilliseconds(1500), _time.GetElapsedTime(before));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), _time.GetElapsedTime(before, _time.GetTimestamp()));
    }

    [Fact]
    public void Advance_fires_due_timers_in_due_order_with_the_clock_at_each_due_time()
    {
        var fired = new List<string>();
        using ITimer late = _time.CreateTimer(_ => fired.Add($"3s@{_time.GetUtcNow() - Start}"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using ITimer early = _time.CreateTimer(_ => fired.Add($"1s@{_time.GetUtcNow() - Start}"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using ITimer tieA = _time.CreateTimer(_ => fired.Add("2s-a"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using ITimer tieB = _time.CreateTimer(_ => fired.Add("2s-b"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        _time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.Equal(["1s@00:00:01", "2s-a", "2s-b"], fired);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["1s@00:00:01", "2s-a", "2s-b", "3s@00:00:03"], fired);
        Assert.Equal(Start.AddMilliseconds(12999), _time.GetUtcNow());
    }

    [Fact]
    public void A_periodic_timer_fires_once_per_period_crossed()
    {
        int fired = 0;
        using ITimer timer = _time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, fired);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, fired);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(6, fired);
    }

    [Fact]
    public void Change_reschedules_relative_to_now_and_Dispose_stops_a_timer()
    {
        int fired = 0;
        ITimer timer = _time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.True(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, fired);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, fired);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        timer.Dispose();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, fired);
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        Assert.Equal(0, _time.ActiveTimerCount);
    }

    [Fact]
    public void A_timer_may_cancel_another_timer_due_in_the_same_advance()
    {
        var fired = new List<string>();
        ITimer? second = null;
        using ITimer first = _time.CreateTimer(_ => { fired.Add("first"); second!.Dispose(); }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        second = _time.CreateTimer(_ => fired.Add("second"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(["first"], fired);
    }

    [Fact]
    public async Task Task_Delay_and_CancellationTokenSource_on_the_provider_follow_virtual_time()
    {
        Task delay = Task.Delay(TimeSpan.FromSeconds(30), _time);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10), _time);
        Assert.False(delay.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(cts.IsCancellationRequested);
        Assert.False(delay.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(20));
        await delay.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void SetUtcNow_moves_forward_firing_timers_and_refuses_to_go_back()
    {
        int fired = 0;
        using ITimer timer = _time.CreateTimer(_ => fired++, null, TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);

        _time.SetUtcNow(Start.AddHours(1));

        Assert.Equal(1, fired);
        Assert.Equal(Start.AddHours(1), _time.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => _time.SetUtcNow(Start));
        Assert.Throws<ArgumentOutOfRangeException>(() => _time.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public async Task Each_armed_wait_is_announced_with_its_due_time()
    {
        using ITimer first = _time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        using ITimer never = _time.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        first.Change(TimeSpan.FromMilliseconds(250), Timeout.InfiniteTimeSpan);

        Assert.Equal(TimeSpan.FromSeconds(5), await _time.NextWaitAsync());
        Assert.Equal(TimeSpan.FromMilliseconds(250), await _time.NextWaitAsync());
    }

    [Fact]
    public async Task RunUntilComplete_jumps_to_each_wait_the_code_arms()
    {
        async Task<int> ThreeWaits()
        {
            for (var i = 1; i <= 3; i++)
            {
                _time.Mark();
                await Task.Delay(TimeSpan.FromSeconds(i), _time);
            }

            return 3;
        }

        Assert.Equal(3, await _time.RunUntilCompleteAsync(ThreeWaits()));
        Assert.Equal(Start.AddSeconds(6), _time.GetUtcNow());
    }
}
