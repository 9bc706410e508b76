using System.Net;
using Polly;
using Proxy.Actors.Resilience;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Resilience;

public sealed class RetryPipelinesTests
{
    private static readonly RetryOptions Options = new()
    {
        MaxRetryAttempts = 3,
        BaseDelay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
        MaxRetryAfter = TimeSpan.FromSeconds(20),
        Budget = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task Transient_failures_are_retried_three_times_with_growing_delays()
    {
        var clock = new SteppingTimeProvider();
        var upstream = new ScriptedUpstream(clock, Enumerable.Repeat(FailureKind.UpstreamServerError, 10));
        var pipeline = RetryPipelines.Create(Options with { Randomizer = () => 0.5 }, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.Equal(FailureKind.UpstreamServerError, result.Failure);
        Assert.Equal(4, upstream.Attempts.Count);
        var delays = upstream.Delays();
        Assert.Equal(3, delays.Length);
        Assert.True(delays[0] < delays[1] && delays[1] < delays[2], string.Join(", ", delays));
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(100), Options.MaxDelay));
    }

    [Fact]
    public async Task Retry_delays_are_jittered_and_bounded()
    {
        var runs = new List<TimeSpan[]>();
        for (var run = 0; run < 5; run++)
        {
            var clock = new SteppingTimeProvider();
            var upstream = new ScriptedUpstream(clock, Enumerable.Repeat(FailureKind.UpstreamUnreachable, 10));
            var pipeline = RetryPipelines.Create(Options, clock);
            using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));
            Assert.Equal(4, upstream.Attempts.Count);
            runs.Add(upstream.Delays());
        }

        Assert.All(runs.SelectMany(d => d), d => Assert.InRange(d, TimeSpan.Zero, Options.MaxDelay));

        // The first delay stays near the base delay; the third is well past it on every run.
        Assert.All(runs, d => Assert.InRange(d[0], TimeSpan.Zero, TimeSpan.FromSeconds(1.5)));
        Assert.All(runs, d => Assert.True(d[0] + d[1] + d[2] > TimeSpan.FromSeconds(2), string.Join(", ", d)));

        // Real jitter: five runs do not all wait the same.
        Assert.True(runs.Select(d => d[0]).Distinct().Count() > 1);
    }

    [Fact]
    public async Task A_transient_failure_followed_by_success_returns_the_success()
    {
        var clock = new SteppingTimeProvider();
        var upstream = new ScriptedUpstream(clock, [FailureKind.UpstreamServerError, FailureKind.UpstreamTimeout, FailureKind.None]);
        var retried = new List<FailureKind>();
        var pipeline = RetryPipelines.Create(Options, clock, onRetry: retried.Add);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.True(result.IsSuccess);
        Assert.Equal(3, upstream.Attempts.Count);
        Assert.Equal([FailureKind.UpstreamServerError, FailureKind.UpstreamTimeout], retried);
    }

    [Fact]
    public async Task Retry_after_is_honoured_exactly()
    {
        var clock = new SteppingTimeProvider();
        var upstream = new ScriptedUpstream(clock, [FailureKind.RateLimited, FailureKind.None]) { RetryAfter = TimeSpan.FromSeconds(7) };
        var pipeline = RetryPipelines.Create(Options, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.True(result.IsSuccess);
        Assert.Equal([TimeSpan.FromSeconds(7)], upstream.Delays());
    }

    [Fact]
    public async Task Retry_after_longer_than_the_cap_is_left_to_the_client()
    {
        var clock = new SteppingTimeProvider();
        var upstream = new ScriptedUpstream(clock, [FailureKind.RateLimited, FailureKind.None]) { RetryAfter = TimeSpan.FromSeconds(21) };
        var pipeline = RetryPipelines.Create(Options, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.Equal(FailureKind.RateLimited, result.Failure);
        Assert.Equal(TimeSpan.FromSeconds(21), result.RetryAfter);
        Assert.Single(upstream.Attempts);
    }

    [Theory]
    [InlineData(FailureKind.UpstreamClientError)]
    [InlineData(FailureKind.QuotaExhausted)]
    [InlineData(FailureKind.Unauthorized)]
    [InlineData(FailureKind.AuthRequired)]
    [InlineData(FailureKind.CircuitOpen)]
    public async Task Non_transient_failures_are_never_retried(FailureKind kind)
    {
        var clock = new SteppingTimeProvider();
        var upstream = new ScriptedUpstream(clock, [kind, FailureKind.None]);
        var pipeline = RetryPipelines.Create(Options, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.Equal(kind, result.Failure);
        Assert.Single(upstream.Attempts);
    }

    [Fact]
    public async Task Transient_exceptions_are_retried()
    {
        var clock = new SteppingTimeProvider();
        var attempts = 0;
        var retried = new List<FailureKind>();
        var pipeline = RetryPipelines.Create(Options, clock, onRetry: retried.Add);
        UpstreamCall call = _ =>
        {
            clock.Mark();
            return ++attempts == 1
                ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused")
                : Task.FromResult(UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK)));
        };

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(call, CancellationToken.None));

        Assert.True(result.IsSuccess);
        Assert.Equal(2, attempts);
        Assert.Equal([FailureKind.UpstreamUnreachable], retried);
    }

    [Fact]
    public async Task The_budget_bounds_attempts_and_delays_together()
    {
        var clock = new SteppingTimeProvider();
        var start = clock.GetUtcNow();
        var upstream = new ScriptedUpstream(clock, Enumerable.Repeat(FailureKind.UpstreamServerError, 10));
        var options = Options with { Budget = TimeSpan.FromSeconds(4), BaseDelay = TimeSpan.FromSeconds(3), Randomizer = () => 0.5 };
        var pipeline = RetryPipelines.Create(options, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, CancellationToken.None));

        Assert.Equal(FailureKind.UpstreamTimeout, result.Failure);
        Assert.Equal(TimeSpan.FromSeconds(4), clock.GetUtcNow() - start);
        Assert.Equal(2, upstream.Attempts.Count);
    }

    [Fact]
    public async Task Each_failed_attempt_is_disposed_before_the_next()
    {
        var clock = new SteppingTimeProvider();
        var outcomes = new List<DisposableOutcome>();
        var pipeline = RetryPipelines.Create(Options, clock);

        var final = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync<DisposableOutcome>(
            _ =>
            {
                clock.Mark();
                var outcome = new DisposableOutcome(outcomes.Count < 2 ? FailureKind.UpstreamServerError : FailureKind.None);
                outcomes.Add(outcome);
                return ValueTask.FromResult(outcome);
            },
            CancellationToken.None).AsTask());

        Assert.Equal(3, outcomes.Count);
        Assert.True(outcomes[0].Disposed);
        Assert.True(outcomes[1].Disposed);
        Assert.False(final.Disposed);
    }

    [Fact]
    public async Task Cancellation_by_the_client_ends_with_client_canceled_and_no_further_attempt()
    {
        var clock = new SteppingTimeProvider();
        using var client = new CancellationTokenSource();
        var upstream = new ScriptedUpstream(clock, Enumerable.Repeat(FailureKind.UpstreamServerError, 10));
        upstream.OnAttempt = n =>
        {
            if (n == 2)
            {
                client.Cancel();
            }
        };
        var pipeline = RetryPipelines.Create(Options, clock);

        using var result = await clock.RunUntilCompleteAsync(pipeline.ExecuteAsync(upstream.Call, client.Token));

        Assert.Equal(FailureKind.ClientCanceled, result.Failure);
        Assert.Equal(2, upstream.Attempts.Count);
    }

    private sealed class DisposableOutcome(FailureKind failure) : IUpstreamOutcome, IDisposable
    {
        public FailureKind Failure => failure;

        public TimeSpan? RetryAfter => null;

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
