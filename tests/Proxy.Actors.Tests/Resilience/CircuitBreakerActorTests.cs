using Akka.Actor;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class CircuitBreakerActorTests : BreakerTestKit
{
    public CircuitBreakerActorTests() => StartBreaker();

    [Fact]
    public async Task Closed_breaker_opens_at_exactly_the_max_failures_not_one_before()
    {

        var before = await Report(FailureKind.UpstreamServerError, FailureKind.UpstreamTimeout);
        Assert.Equal(CircuitState.Closed, before.State);
        Assert.Equal(2, before.RecentFailures);
        Assert.True(Breaker.TryAcquirePermit(out _, out _));

        var after = await Report(FailureKind.StreamInterrupted);
        Assert.Equal(CircuitState.Open, after.State);
        Assert.Equal(1, after.Openings);
    }

    [Fact]
    public async Task Failures_older_than_the_window_no_longer_count()
    {

        await Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        await Advance(Options.FailureWindow);
        var snapshot = await Report(FailureKind.UpstreamServerError);

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(1, snapshot.RecentFailures);
    }

    [Fact]
    public async Task Failures_just_inside_the_window_still_count()
    {

        await Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);
        await Advance(Options.FailureWindow - TimeSpan.FromTicks(1));
        var snapshot = await Report(FailureKind.UpstreamUnreachable);

        Assert.Equal(CircuitState.Open, snapshot.State);
    }

    [Fact]
    public async Task Successes_keep_failures_below_the_ratio_whatever_order_they_arrive_in()
    {
        await Report(FailureKind.None, FailureKind.None, FailureKind.None, FailureKind.None);
        var snapshot = await Report(FailureKind.UpstreamServerError, FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);

        // Three failures in a row, but three of seven outcomes: below one half.
        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(3, snapshot.RecentFailures);

        var open = await Report(FailureKind.StreamInterrupted);
        Assert.Equal(CircuitState.Open, open.State);
    }

    [Fact]
    public async Task Outcomes_of_requests_admitted_before_the_last_change_of_state_do_not_count()
    {
        var first = (await Settled()).Epoch;
        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var trial, out _));
        Breaker.ReportOutcome(FailureKind.None, trial);
        Assert.Equal(CircuitState.Closed, (await Settled()).State);

        var snapshot = await ReportIn(first, FailureKind.UpstreamServerError, FailureKind.UpstreamServerError, FailureKind.UpstreamServerError);

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.RecentFailures);
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

        var snapshot = await Report(Enumerable.Repeat(kind, Options.MaxFailures * 3).ToArray());

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.RecentFailures);
    }

    private async Task<BreakerSnapshot> ReportIn(long epoch, params FailureKind[] outcomes)
    {
        foreach (var outcome in outcomes)
        {
            Breaker.ReportOutcome(outcome, epoch);
        }

        return await Settled();
    }

    [Fact]
    public async Task Open_breaker_refuses_at_once_with_the_time_left_until_the_trial()
    {
        await OpenIt();
        Clock.Advance(TimeSpan.FromSeconds(2));

        Assert.False(Breaker.TryAcquirePermit(out _, out var retryAfter));
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
        var open = await OpenIt();
        Assert.Equal(open.Since + Options.BaseOpenDelay, open.TrialAt);

        var almost = await Advance(Options.BaseOpenDelay - TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.Open, almost.State);

        var due = await Advance(TimeSpan.FromTicks(1));
        Assert.Equal(CircuitState.HalfOpen, due.State);
    }

    [Fact]
    public async Task Half_open_breaker_admits_exactly_one_trial_under_concurrency()
    {
        await HalfOpenIt();
        using var start = new Barrier(8);

        var admitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            start.SignalAndWait(Patience);
            var count = 0;
            for (var i = 0; i < 1_000; i++)
            {
                count += Breaker.TryAcquirePermit(out _, out _) ? 1 : 0;
            }

            return count;
        })));

        Assert.Equal(1, admitted.Sum());
        Assert.False(Breaker.TryAcquirePermit(out _, out var retryAfter));
        Assert.Equal(Options.HalfOpenRetryAfter, retryAfter);
    }

    [Fact]
    public async Task Half_open_trial_success_closes_the_breaker()
    {
        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));

        Breaker.ReportOutcome(FailureKind.None, epoch);
        var snapshot = await Settled();

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.Openings);
        Assert.True(Breaker.TryAcquirePermit(out _, out _));
    }

    [Fact]
    public async Task Half_open_trial_failure_reopens_with_a_longer_backoff()
    {
        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));

        Breaker.ReportOutcome(FailureKind.UpstreamServerError, epoch);
        var reopened = await Settled();

        Assert.Equal(CircuitState.Open, reopened.State);
        Assert.Equal(2, reopened.Openings);
        Assert.Equal(reopened.Since + (Options.BaseOpenDelay * 2), reopened.TrialAt);
        Assert.Equal(CircuitState.Open, (await Advance((Options.BaseOpenDelay * 2) - TimeSpan.FromTicks(1))).State);
        Assert.Equal(CircuitState.HalfOpen, (await Advance(TimeSpan.FromTicks(1))).State);
    }

    [Fact]
    public async Task A_trial_that_says_nothing_of_the_upstream_frees_the_permit_for_another()
    {
        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));

        Breaker.ReportOutcome(FailureKind.ClientCanceled, epoch);
        var snapshot = await Settled();

        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
        Assert.True(Breaker.TryAcquirePermit(out var next, out _));
        Assert.NotEqual(epoch, next);
    }

    [Fact]
    public async Task Outcomes_of_requests_admitted_before_the_trial_do_not_decide_it()
    {
        var closedEpoch = Breaker.Snapshot.Epoch;
        await HalfOpenIt();

        Breaker.ReportOutcome(FailureKind.None, closedEpoch);
        Breaker.ReportOutcome(FailureKind.UpstreamServerError, closedEpoch);
        var snapshot = await Settled();

        Assert.Equal(CircuitState.HalfOpen, snapshot.State);
    }

    [Fact]
    public async Task A_trial_that_never_reports_reopens_after_the_trial_timeout()
    {
        await HalfOpenIt();
        await Advance(TimeSpan.FromMinutes(3));
        Assert.True(Breaker.TryAcquirePermit(out _, out _));

        Assert.Equal(CircuitState.HalfOpen, (await Advance(Options.TrialTimeout - TimeSpan.FromTicks(1))).State);
        var snapshot = await Advance(TimeSpan.FromTicks(1));

        Assert.Equal(CircuitState.Open, snapshot.State);
        Assert.Equal(2, snapshot.Openings);
    }

    [Fact]
    public async Task Open_delays_follow_the_schedule_with_jitter_within_bounds()
    {
        StartBreaker(Options with { Randomizer = null }, account: "jittered");
        var delays = new List<TimeSpan>();
        await OpenIt();
        for (var opening = 1; opening <= 8; opening++)
        {
            var open = await Settled();
            Assert.Equal(opening, open.Openings);
            var delay = open.TrialAt!.Value - open.Since;
            delays.Add(delay);
            var nominal = BreakerBackoff.Nominal(opening, Options);
            Assert.InRange(delay, nominal * 0.8, nominal * 1.2 < Options.MaxOpenDelay ? nominal * 1.2 : Options.MaxOpenDelay);

            await Advance(delay);
            Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));
            Breaker.ReportOutcome(FailureKind.UpstreamTimeout, epoch);
        }

        Assert.True(delays[^1] >= Options.MaxOpenDelay * 0.8);
    }

    [Fact]
    public async Task Streams_are_children_of_the_breaker_and_their_outcomes_count()
    {
        var epoch = (await Settled()).Epoch;
        var streams = Enumerable.Range(0, Options.MaxFailures).Select(_ => StartStream(epoch)).ToList();

        Assert.All(streams, s => Assert.Equal(Breaker.Actor.Path, s.Stream.Path.Parent));
        Assert.All(streams, s => Assert.StartsWith("stream-", s.Stream.Path.Name, StringComparison.Ordinal));
        Assert.Equal(Options.MaxFailures, Breaker.ActiveStreams);

        // Failures after the first byte are reported like any other, once, by the stream itself.
        Watch(streams[0].Stream);
        Watch(streams[1].Stream);
        streams[0].Stream.Tell(new Finish(Outcome(FailureKind.StreamInterrupted)));
        streams[1].Stream.Tell(new Finish(Outcome(FailureKind.StreamStalled)));
        // The two stop on their own threads, so their Terminated messages come in either order.
        var ended = ReceiveN(2, Patience).Select(m => Assert.IsType<Terminated>(m).ActorRef).ToHashSet();
        Assert.Equal(new HashSet<IActorRef> { streams[0].Stream, streams[1].Stream }, ended);
        Assert.Equal(FailureKind.StreamInterrupted, (await streams[0].Outcome).Failure);
        Assert.Equal(FailureKind.StreamStalled, (await streams[1].Outcome).Failure);
        Assert.Equal(2, (await Settled()).RecentFailures);

        Watch(streams[2].Stream);
        streams[2].Stream.Tell(new Finish(Outcome(FailureKind.StreamInterrupted)));
        ExpectTerminated(streams[2].Stream, Patience);
        var snapshot = await Settled();
        Assert.Equal(CircuitState.Open, snapshot.State);
        Assert.Equal(0, Breaker.ActiveStreams);
    }

    [Fact]
    public async Task Client_cancellations_of_streams_never_count()
    {
        for (var i = 0; i < Options.MaxFailures * 2; i++)
        {
            var (stream, outcome) = StartStream((await Settled()).Epoch);
            stream.Tell(new Finish(Outcome(FailureKind.ClientCanceled)));
            Assert.Equal(FailureKind.ClientCanceled, (await outcome).Failure);
        }

        var snapshot = await Settled();
        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(0, snapshot.RecentFailures);
    }

    [Fact]
    public async Task A_stream_that_throws_without_reporting_is_stopped_not_restarted_and_counts_as_a_failure()
    {
        var (stream, outcome) = StartStream((await Settled()).Epoch);
        Watch(stream);

        stream.Tell(new Crash());
        ExpectTerminated(stream, Patience);

        var ended = await outcome.WaitAsync(Patience);
        Assert.Equal(FailureKind.StreamInterrupted, ended.Failure);
        Assert.False(ended.ResponseStarted);
        Streams.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no second instance announced itself
        var snapshot = await Settled();
        Assert.Equal(1, snapshot.RecentFailures);
        Assert.Equal(0, Breaker.ActiveStreams);
    }

    [Fact]
    public async Task The_half_open_trial_may_be_a_stream()
    {
        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));

        var (stream, outcome) = StartStream(epoch);
        stream.Tell(new Finish(Outcome(FailureKind.None)));
        await outcome;

        Assert.Equal(CircuitState.Closed, (await Settled()).State);
    }

    [Fact]
    public async Task Starting_a_stream_asks_nothing_of_the_breaker()
    {
        // The edge's only message to the breaker is the start itself: the breaker is busy with
        // nothing else, and the outcome arrives once, from the stream.
        var epoch = (await Settled()).Epoch;
        var (stream, outcome) = StartStream(epoch);
        Assert.False(outcome.IsCompleted);

        stream.Tell(new Finish(Outcome(FailureKind.None)));
        var ended = await outcome.WaitAsync(Patience);

        Assert.Equal(FailureKind.None, ended.Failure);
    }

    [Fact]
    public async Task Twenty_four_concurrent_streams_with_one_in_ten_broken_mid_stream_never_open_the_circuit()
    {
        // The production defaults: STREAMING_MAX_ERRORS = 10.
        StartBreaker(new BreakerOptions { MaxFailures = 10, MinimumThroughput = 10, Randomizer = () => 0.5 }, account: "mix");
        var broken = 0;
        for (var wave = 0; wave < 20; wave++)
        {
            var epoch = (await Settled()).Epoch;
            var streams = Enumerable.Range(0, 24).Select(_ => StartStream(epoch)).ToList();

            // Worst order: the streams the upstream broke end first (half way), the rest after them.
            var failing = streams.Where((_, i) => ((wave * 24) + i) % 10 == 3).ToList();
            foreach (var (stream, _) in failing)
            {
                stream.Tell(new Finish(Outcome(FailureKind.StreamInterrupted)));
            }

            foreach (var (stream, _) in streams.Except(failing))
            {
                stream.Tell(new Finish(Outcome(FailureKind.None)));
            }

            var outcomes = await Task.WhenAll(streams.Select(s => s.Outcome));
            broken += outcomes.Count(o => o.Failure == FailureKind.StreamInterrupted);
            Assert.Equal(CircuitState.Closed, (await Advance(TimeSpan.FromMilliseconds(500))).State);
        }

        Assert.Equal(48, broken); // one stream in ten, and only those
        Assert.True(Breaker.TryAcquirePermit(out _, out _));
    }

    [Fact]
    public async Task A_burst_of_failures_among_many_successes_does_not_open_the_circuit()
    {
        StartBreaker(new BreakerOptions { MaxFailures = 10, MinimumThroughput = 10, Randomizer = () => 0.5 }, account: "burst");
        await Report(Enumerable.Repeat(FailureKind.None, 90).ToArray());

        var snapshot = await Report(Enumerable.Repeat(FailureKind.StreamInterrupted, 10).ToArray());

        Assert.Equal(CircuitState.Closed, snapshot.State);
        Assert.Equal(10, snapshot.RecentFailures);
    }

    [Fact]
    public async Task A_real_outage_opens_the_circuit_once_failures_are_half_of_the_window()
    {
        StartBreaker(new BreakerOptions { MaxFailures = 10, MinimumThroughput = 10, Randomizer = () => 0.5 }, account: "outage");
        await Report(Enumerable.Repeat(FailureKind.None, 48).ToArray());

        var almost = await Report(Enumerable.Repeat(FailureKind.UpstreamUnreachable, 47).ToArray());
        Assert.Equal(CircuitState.Closed, almost.State);

        var open = await Report(FailureKind.UpstreamUnreachable);
        Assert.Equal(CircuitState.Open, open.State);
    }

    [Fact]
    public async Task After_a_quiet_window_an_outage_opens_at_the_minimum_number_of_failures()
    {
        StartBreaker(new BreakerOptions { MaxFailures = 10, MinimumThroughput = 10, Randomizer = () => 0.5 }, account: "quiet");
        await Report(Enumerable.Repeat(FailureKind.None, 48).ToArray());
        await Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(CircuitState.Closed, (await Report(Enumerable.Repeat(FailureKind.UpstreamServerError, 9).ToArray())).State);
        Assert.Equal(CircuitState.Open, (await Report(FailureKind.UpstreamServerError)).State);
    }
}
