using Proxy.Actors.Resilience;
using Proxy.Actors.Runtime;

namespace Proxy.Actors.Tests.Resilience;

public sealed class CircuitBreakerActorTests
{
    private static readonly BreakerOptions Options = BreakerTestKit.Options;

    [Fact]
    public async Task Closed_breaker_opens_at_exactly_the_max_failures_not_one_before()
    {
        await using var kit = new BreakerTestKit();

        var before = await kit.Report(FailureKind.UpstreamServerError, FailureKind.UpstreamTimeout);
        Assert.Equal(CircuitState.Closed, before.State);
        Assert.Equal(2, before.RecentFailures);
        Assert.True(kit.Breaker.TryAcquirePermit(out _, out _));

        var after = await kit.Report(FailureKind.StreamInterrupted);
        Assert.Equal(CircuitState.Open, after.State);
        Assert.Equal(1, after.Openings);
    }

    [Fact]
    public async Task Failures_older_than_the_window_no_longer_count()
    {
        await using var kit = new BreakerTestKit();

        await kit.Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        await kit.Advance(Options.FailureWindow);
        var snapshot = await kit.Report(FailureKind.UpstreamServerError);

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(1, snapshot.RecentFailures);
    }

    [Fact]
    public async Task Failures_just_inside_the_window_still_count()
    {
        await using var kit = new BreakerTestKit();

        await kit.Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        await kit.Advance(Options.FailureWindow - TimeSpan.FromTicks(1));
        var snapshot = await kit.Report(FailureKind.UpstreamUnreachable);

        Assert.Equal(CircuitState.Open, snapshot.State);
    }

    [Fact]
    public async Task A_success_resets_the_count()
    {
        await using var kit = new BreakerTestKit();

        await kit.Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        var reset = await kit.Report(FailureKind.None);
        Assert.Equal(0, reset.RecentFailures);

        var snapshot = await kit.Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(2, snapshot.RecentFailures);
    }

    [Theory]
    [InlineData(FailureKind.ClientCanceled)]
    [InlineData(FailureKind.QuotaExhausted)]
    [InlineData(FailureKind.RateLimited)]
    [InlineData(FailureKind.UpstreamClientError)]
    [InlineData(FailureKind.Unauthorized)]
    [InlineData(FailureKind.AuthRequired)]
    public async Task Failures_that_say_nothing_of_the_upstream_never_count(FailureKind kind)
    {
        await using var kit = new BreakerTestKit();

        var snapshot = await kit.Report(Enumerable.Repeat(kind, Options.MaxFailures * 3).ToArray());

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.RecentFailures);
    }

    [Fact]
    public async Task Open_breaker_refuses_at_once_with_the_time_left_until_the_trial()
    {
        await using var kit = new BreakerTestKit();
        await kit.OpenIt();
        kit.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.False(kit.Breaker.TryAcquirePermit(out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(3), retryAfter);
        using var refusal = BreakerSnapshot.Refusal(retryAfter);
        Assert.Equal(FailureKind.CircuitOpen, refusal.Failure);
        Assert.Equal(503, refusal.Failure.ToStatusCode());
        Assert.Equal("circuit_open", refusal.Code);
        Assert.Equal("The upstream is failing and requests for this account are paused; retry after 3 s.", refusal.Message);
    }

    [Fact]
    public async Task Open_breaker_goes_half_open_exactly_after_the_backoff()
    {
        await using var kit = new BreakerTestKit();
        var open = await kit.OpenIt();
        Assert.Equal(open.Since + Options.BaseOpenDelay, open.TrialAt);

        var almost = await kit.Advance(Options.BaseOpenDelay - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, almost.State);

        var due = await kit.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, due.State);
    }

    [Fact]
    public async Task Half_open_breaker_admits_exactly_one_trial_under_concurrency()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        using var start = new Barrier(8);

        var admitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            start.SignalAndWait(BreakerTestKit.Patience);
            var count = 0;
            for (var i = 0; i < 1_000; i++)
            {
                count += kit.Breaker.TryAcquirePermit(out _, out _) ? 1 : 0;
            }

            return count;
        })));

        Assert.Equal(1, admitted.Sum());
        Assert.False(kit.Breaker.TryAcquirePermit(out _, out var retryAfter));
        Assert.Equal(Options.HalfOpenRetryAfter, retryAfter);
    }

    [Fact]
    public async Task Half_open_trial_success_closes_the_breaker()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));

        kit.Breaker.ReportOutcome(FailureKind.None, epoch);
        var snapshot = await kit.Settled();

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.Openings);
        Assert.True(kit.Breaker.TryAcquirePermit(out _, out _));
    }

    [Fact]
    public async Task Half_open_trial_failure_reopens_with_a_longer_backoff()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));

        kit.Breaker.ReportOutcome(FailureKind.UpstreamServerError, epoch);
        var reopened = await kit.Settled();

        Assert.Equal(CircuitState.Open, reopened.State);
        Assert.Equal(2, reopened.Openings);
        Assert.Equal(reopened.Since + (Options.BaseOpenDelay * 2), reopened.TrialAt);
        Assert.Equal(CircuitState.Open, (await kit.Advance((Options.BaseOpenDelay * 2) - TimeSpan.FromTicks(1))).State);
        Assert.Equal(CircuitState.HalfOpen, (await kit.Advance(TimeSpan.FromTicks(1))).State);
    }

    [Fact]
    public async Task A_trial_that_says_nothing_of_the_upstream_frees_the_permit_for_another()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));

        kit.Breaker.ReportOutcome(FailureKind.ClientCanceled, epoch);
        var snapshot = await kit.Settled();

        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
        Assert.True(kit.Breaker.TryAcquirePermit(out var next, out _));
        Assert.NotEqual(epoch, next);
    }

    [Fact]
    public async Task Outcomes_of_requests_admitted_before_the_trial_do_not_decide_it()
    {
        await using var kit = new BreakerTestKit();
        var closedEpoch = kit.Breaker.Snapshot.Epoch;
        await kit.HalfOpenIt();

        kit.Breaker.ReportOutcome(FailureKind.None, closedEpoch);
        kit.Breaker.ReportOutcome(FailureKind.UpstreamServerError, closedEpoch);
        var snapshot = await kit.Settled();

        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
    }

    [Fact]
    public async Task A_trial_that_never_reports_reopens_after_the_trial_timeout()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        await kit.Advance(TimeSpan.FromMinutes(3));
        Assert.True(kit.Breaker.TryAcquirePermit(out _, out _));

        Assert.Equal(CircuitState.HalfOpen, (await kit.Advance(Options.TrialTimeout - TimeSpan.FromTicks(1))).State);
        var snapshot = await kit.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(CircuitState.Open, snapshot.State);
        Assert.Equal(2, snapshot.Openings);
    }

    [Fact]
    public async Task Open_delays_follow_the_schedule_with_jitter_within_bounds()
    {
        await using var kit = new BreakerTestKit(Options with { Randomizer = null });
        var delays = new List<TimeSpan>();
        await kit.OpenIt();
        for (var opening = 1; opening <= 8; opening++)
        {
            var open = await kit.Settled();
            Assert.Equal(opening, open.Openings);
            var delay = open.TrialAt!.Value - open.Since;
            delays.Add(delay);
            var nominal = BreakerBackoff.Nominal(opening, Options);
            Assert.InRange(delay, nominal * 0.8, nominal * 1.2 < Options.MaxOpenDelay ? nominal * 1.2 : Options.MaxOpenDelay);

            await kit.Advance(delay);
            Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));
            kit.Breaker.ReportOutcome(FailureKind.UpstreamTimeout, epoch);
        }

        Assert.True(delays[^1] >= Options.MaxOpenDelay * 0.8);
    }

    [Fact]
    public async Task Streams_are_children_of_the_breaker_and_their_outcomes_count()
    {
        await using var kit = new BreakerTestKit();
        var streams = new List<IActorRef<StreamCommand>>();
        for (var i = 0; i < Options.MaxFailures; i++)
        {
            Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));
            streams.Add(await kit.Breaker.StartStreamAsync(new StreamJob("s" + i), epoch, BreakerTestKit.Patience, CancellationToken.None));
        }

        Assert.All(streams, s => Assert.StartsWith(kit.Breaker.Actor.Path + "/stream-", s.Path, StringComparison.Ordinal));
        Assert.Equal(Options.MaxFailures, kit.Breaker.ActiveStreams);

        // Failures after the first byte arrive through the callback like any other.
        streams[0].Tell(new Finish(FailureKind.StreamInterrupted));
        streams[1].Tell(new Finish(FailureKind.StreamStalled));
        await streams[1].WhenStopped();
        Assert.Equal(2, (await kit.Settled()).RecentFailures);

        streams[2].Tell(new Finish(FailureKind.StreamInterrupted));
        await streams[2].WhenStopped();
        var snapshot = await kit.Settled();
        Assert.Equal(CircuitState.Open, snapshot.State);
        Assert.Equal(0, kit.Breaker.ActiveStreams);
    }

    [Fact]
    public async Task Client_cancellations_of_streams_never_count()
    {
        await using var kit = new BreakerTestKit();
        for (var i = 0; i < Options.MaxFailures * 2; i++)
        {
            var stream = await kit.Breaker.StartStreamAsync(new StreamJob("s"), kit.Breaker.Snapshot.Epoch, BreakerTestKit.Patience, CancellationToken.None);
            stream.Tell(new Finish(FailureKind.ClientCanceled));
            await stream.WhenStopped();
        }

        var snapshot = await kit.Settled();
        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.RecentFailures);
    }

    [Fact]
    public async Task A_crashed_stream_is_stopped_and_counts_as_a_failure()
    {
        await using var kit = new BreakerTestKit();
        var stream = await kit.Breaker.StartStreamAsync(new StreamJob("s"), kit.Breaker.Snapshot.Epoch, BreakerTestKit.Patience, CancellationToken.None);

        stream.Tell(new Crash());
        await stream.WhenStopped();
        var snapshot = await kit.Settled();

        Assert.True(stream.IsStopped);
        Assert.Equal(1, snapshot.RecentFailures);
        Assert.Equal(0, kit.Breaker.ActiveStreams);
    }

    [Fact]
    public async Task The_half_open_trial_may_be_a_stream()
    {
        await using var kit = new BreakerTestKit();
        await kit.HalfOpenIt();
        Assert.True(kit.Breaker.TryAcquirePermit(out var epoch, out _));

        var stream = await kit.Breaker.StartStreamAsync(new StreamJob("trial"), epoch, BreakerTestKit.Patience, CancellationToken.None);
        stream.Tell(new Finish(FailureKind.None));
        await stream.WhenStopped();

        Assert.Equal(CircuitState.Closed, (await kit.Settled()).State);
    }
}
