using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Proxy.Actors.Auth;

namespace Proxy.Actors.Resilience;

/// <summary>
/// The retry policy of the opening phase of an upstream call: from sending the request until the
/// response headers are in. Retrying is safe only there, while nothing has reached the client: a
/// caller runs the pipeline around the <see cref="UpstreamCall"/> alone and never around reading or
/// relaying the body. Once the first byte went to the client, a failure is reported, not retried.
/// </summary>
internal static class RetryPipelines
{
    /// <summary>
    /// A pipeline that retries transient failures (results whose <see cref="IUpstreamOutcome.Failure"/>
    /// is transient, and transient exceptions) with exponential, jittered backoff, waits out a
    /// Retry-After up to <see cref="RetryOptions.MaxRetryAfter"/>, disposes each failed attempt's
    /// response before the next, and gives up when <see cref="RetryOptions.Budget"/> runs out
    /// (<see cref="TimeoutRejectedException"/>; <see cref="ExecuteAsync"/> turns that into a result).
    /// </summary>
    /// <param name="onRetry">Told the failure kind of each attempt that is about to be retried (for a metric).</param>
    public static ResiliencePipeline Create(RetryOptions options, TimeProvider time, ILogger? logger = null, Action<FailureKind>? onRetry = null)
    {
        options.Validate();
        var retry = new RetryStrategyOptions
        {
            Name = "upstream-retry",
            MaxRetryAttempts = Math.Max(1, options.MaxRetryAttempts),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, options, args.Context.CancellationToken)),
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Result is IUpstreamOutcome { RetryAfter: { } after } && after > TimeSpan.Zero ? after : (TimeSpan?)null),
            OnRetry = args =>
            {
                var failure = args.Outcome.Result is IUpstreamOutcome outcome
                    ? outcome.Failure
                    : ErrorClassifier.Classify(args.Outcome.Exception!, CancellationToken.None).Failure;
                (args.Outcome.Result as IDisposable)?.Dispose();
                onRetry?.Invoke(failure);
                if (logger is not null)
                {
                    ResilienceLog.Retrying(logger, failure, args.AttemptNumber + 1, args.RetryDelay);
                }

                return default;
            },
        };
        if (options.Randomizer is { } randomizer)
        {
            retry.Randomizer = randomizer;
        }

        var builder = new ResiliencePipelineBuilder { Name = "upstream", TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions { Name = "upstream-budget", Timeout = options.Budget });
        return (options.MaxRetryAttempts > 0 ? builder.AddRetry(retry) : builder).Build();
    }

    /// <summary>
    /// Runs <paramref name="call"/> through <paramref name="pipeline"/> and always ends with a classified
    /// result: an exhausted budget is <see cref="FailureKind.UpstreamTimeout"/>, cancellation by
    /// <paramref name="cancellationToken"/> is <see cref="FailureKind.ClientCanceled"/>.
    /// </summary>
    public static async Task<UpstreamResult> ExecuteAsync(this ResiliencePipeline pipeline, UpstreamCall call, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(
                static async (call, token) => await call(token).ConfigureAwait(false),
                call,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutRejectedException or TimeoutException
                                       or HttpRequestException or IOException or System.Net.Sockets.SocketException or AuthRequiredException)
        {
            return ErrorClassifier.Classify(ex, cancellationToken);
        }
    }

    private static bool ShouldRetry(Outcome<object> outcome, RetryOptions options, CancellationToken token)
    {
        if (outcome.Exception is { } exception)
        {
            return ErrorClassifier.IsTransient(exception, token);
        }

        return outcome.Result is IUpstreamOutcome result
            && result.Failure.IsTransient()
            && !(result.RetryAfter > options.MaxRetryAfter);
    }
}
