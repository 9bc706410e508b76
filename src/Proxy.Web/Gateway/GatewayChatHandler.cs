using Microsoft.Net.Http.Headers;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Hosting;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;

namespace Proxy.Web.Gateway;

/// <summary>
/// Serves chat and legacy completions through the account: a stream goes to a stream actor spawned
/// under the account's circuit breaker; a plain request goes through the same gate (cooldown,
/// breaker) and retry pipeline. Every failure leaves as the failure's own status, never as a 200.
/// </summary>
internal sealed class GatewayChatHandler(
    UpstreamAccount account,
    ProxyOptions options,
    StreamOptions streamOptions,
    StreamConcurrencyLimiter streams,
    ShutdownDrain drain,
    ProxyMetrics metrics,
    TimeProvider time) : IChatCompletionsHandler
{
    private const string ChatPath = "chat/completions";

    public Task HandleAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken) =>
        request.Stream ? StreamAsync(context, request, cancellationToken) : CompleteAsync(context, request, cancellationToken);

    private async Task StreamAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        using var slot = streams.TryEnter();
        if (slot is null)
        {
            await FailureResponses.WriteAsync(context, FailureKind.RateLimited, $"Too many open streams (limit {streams.Limit}); retry shortly.", retryAfter: TimeSpan.FromSeconds(1));
            return;
        }

        if (!account.Gate.TryAdmit(out var epoch, out var refusal))
        {
            await FailureResponses.WriteAsync(context, refusal!);
            return;
        }

        var call = account.Gate.Guard(account.Client.CreateCall(request.Body, ChatPath, account.Tokens, context.TraceIdentifier, stream: true));
        var job = new StreamJob(
            context.TraceIdentifier,
            call,
            new HttpClientStream(context),
            streamOptions,
            cancellationToken,
            account.Retry,
            request.Protocol?.CreateStreamTranslator())
        {
            Draining = drain.DrainingDeadline,
        };
        // One Tell to the account's breaker, which spawns the stream actor; the outcome comes back once.
        var outcome = await account.Breaker.RunStream(job, epoch);
        if (outcome.TimeToFirstToken is { } ttft)
        {
            metrics.RecordTimeToFirstToken(context.Request.Path.Value ?? string.Empty, ttft);
        }

        for (var i = 0; i < outcome.Repairs; i++)
        {
            metrics.RecordStutterRepair();
        }

        if (outcome.Failure != FailureKind.None)
        {
            metrics.RecordUpstreamFailure(outcome.Failure);
            if (!outcome.ResponseStarted)
            {
                await FailureResponses.WriteAsync(context, outcome.Failure, outcome.Message, outcome.UpstreamStatus, outcome.Code, outcome.RetryAfter);
            }
        }
    }

    private async Task CompleteAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var call = account.Client.CreateCall(request.Body, ChatPath, account.Tokens, context.TraceIdentifier, stream: false);

        using var result = await account.Gate.SendAsync(call, account.Retry, linked.Token);
        if (!result.IsSuccess)
        {
            var timedOut = result.Failure == FailureKind.ClientCanceled && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            metrics.RecordUpstreamFailure(timedOut ? FailureKind.UpstreamTimeout : result.Failure);
            if (timedOut)
            {
                await FailureResponses.WriteAsync(context, FailureKind.UpstreamTimeout, "The upstream did not answer within the request deadline.");
            }
            else
            {
                await FailureResponses.WriteAsync(context, result);
            }

            return;
        }

        // The whole answer is read before a byte is sent, so a body that breaks is a 502, not a truncated 200.
        byte[] body;
        try
        {
            body = await result.Response!.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var kind = deadline.IsCancellationRequested ? FailureKind.UpstreamTimeout : FailureKind.StreamInterrupted;
            metrics.RecordUpstreamFailure(kind);
            await FailureResponses.WriteAsync(context, kind, "The upstream connection broke while sending the answer.");
            return;
        }

        if (request.Protocol is { } protocol)
        {
            body = protocol.TranslateCompletion(body);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = result.Response.Content.Headers.ContentType?.ToString() ?? "application/json";
        response.ContentLength = body.Length;
        response.Headers[HeaderNames.CacheControl] = "no-store";
        await response.Body.WriteAsync(body, cancellationToken);
    }
}
