using System.Buffers;
using Microsoft.Net.Http.Headers;
using Proxy.Actors.Resilience;
using Proxy.Actors.Upstream;
using Proxy.Web.Accounts;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Gateway;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;

namespace Proxy.Web.Protocols;

/// <summary>
/// Sends a request, as the client sent it (only its model mapped), to an upstream URL that speaks
/// the client's protocol natively, and copies the answer back: a whole body after it is read (a body
/// that breaks is a 502, not a truncated 200), a stream as bytes with a flush per read, never
/// buffered whole. The call goes through the account like chat: its token source (presented as
/// <see cref="UpstreamAuthStyle"/> says), quota cooldown, circuit breaker and the retry pipeline of
/// the opening phase. A client that leaves cancels the upstream call. Used by <c>/v1/responses</c>
/// (Bearer), <c>/v1/embeddings</c> (relative to the API base) and <c>/v1/messages</c>
/// (<c>x-api-key</c>).
/// </summary>
internal sealed class NativePassThrough(
    string target,
    UpstreamAuthStyle auth,
    UpstreamAccount account,
    ProxyOptions options,
    StreamConcurrencyLimiter streams,
    ProxyMetrics metrics,
    TimeProvider time)
{
    private const int BufferSize = 16 * 1024;

    /// <summary>
    /// Serves a request of <paramref name="api"/> natively when the account the pool picks for it
    /// (strategy, affinity, availability, the model's allow lists) names a native URL for the protocol
    /// (<paramref name="nativeUrl"/>: its <c>responses_url</c> or <c>messages_url</c>, from a preset, the
    /// accounts file or UPSTREAM_RESPONSES_URL / UPSTREAM_MESSAGES_URL). The body is checked as JSON and
    /// only its model mapped (through <paramref name="upstreamModel"/> first, when given), then sent as it
    /// is with that account's credentials; its outcome counts for the account like a chat request's.
    /// A failure before the answer started that another account might not have (GatewayChatHandler.MovesOn,
    /// as for chat) moves the request to the next account the pool offers that also names a native URL.
    /// Returns false, having written nothing, when the request is to be translated instead: no account
    /// of the pool serves the protocol, the one picked does not, or none that does could take it.
    /// </summary>
    public static async Task<bool> TryServeNativeAsync(
        HttpContext context,
        ChatRequestReader reader,
        ReadOnlyMemory<byte> body,
        CompletionApi api,
        Func<AccountDefinition, Uri?> nativeUrl,
        UpstreamAuthStyle auth,
        Func<string, byte[]> interruptedFrame,
        Func<string, string>? upstreamModel = null)
    {
        var services = context.RequestServices;
        if (services.GetService<UpstreamPool>() is not { } pool || !pool.Accounts.Accounts.Any(a => nativeUrl(a.Definition) is not null))
        {
            return false;
        }

        if (!reader.TryRead(body, api, out var request, out var error, upstreamModel: upstreamModel))
        {
            await error.ToResult().ExecuteAsync(context);
            return true;
        }

        return await ServeFromPoolAsync(context, pool, request, definition => nativeUrl(definition)?.AbsoluteUri, auth, interruptedFrame);
    }

    /// <summary>
    /// Sends <paramref name="request"/> (already read and checked) as it is to the first account the
    /// pool picks whose <paramref name="target"/> (an absolute URL, or a path relative to its API base)
    /// is not null, failing over to the next such account like chat. False, having written nothing,
    /// when no account with a target could take the request, or (with <paramref name="pickedMustServe"/>,
    /// where another path can serve the rest) when the account picked first has none.
    /// </summary>
    public static async Task<bool> ServeFromPoolAsync(
        HttpContext context,
        UpstreamPool pool,
        ChatRequest request,
        Func<AccountDefinition, string?> target,
        UpstreamAuthStyle auth,
        Func<string, byte[]> interruptedFrame,
        bool pickedMustServe = true)
    {
        var services = context.RequestServices;
        var affinity = pool.Accounts.Options.Affinity;
        var key = affinity.Enabled ? AffinityKey.Compute(affinity, context.Request.Headers[affinity.Header].ToString(), request.Body.Span) : null;
        var selection = pool.Accounts.Select(request.Model, key);
        if (selection.Candidates.Count == 0 || (pickedMustServe && target(selection.Candidates[0].Definition) is null))
        {
            return false;
        }

        if (context.Features.Get<Logging.IRequestLogFeature>() is { } log)
        {
            log.Model = request.Model;
            log.IsStreaming = request.Stream;
        }

        var metrics = services.GetRequiredService<ProxyMetrics>();
        var logger = services.GetRequiredService<ILogger<NativePassThrough>>();
        (AccountState Account, NativeOutcome Outcome)? last = null;
        foreach (var state in selection.Candidates)
        {
            // Failover stays among the accounts that speak the protocol: the client's request is sent as it came.
            if (target(state.Definition) is not { } url || !state.TryAcquire(out var lease))
            {
                continue;
            }

            if (last is { } previous)
            {
                AccountLog.FailedOver(logger, previous.Account.Name, state.Name, ProxyMetrics.FailureLabel(previous.Outcome.Failure));
            }

            var passThrough = new NativePassThrough(
                url,
                auth,
                pool.For(state),
                services.GetRequiredService<ProxyOptions>(),
                services.GetRequiredService<StreamConcurrencyLimiter>(),
                metrics,
                services.GetRequiredService<TimeProvider>());
            var outcome = new NativeOutcome(FailureKind.ClientCanceled, null, null);
            try
            {
                outcome = await passThrough.ServeAsync(context, request.Body, request.Stream, interruptedFrame);
            }
            finally
            {
                state.Complete(lease, outcome.Failure, outcome.RetryAfter);
                metrics.RecordAccountAttempt(state.Name, outcome.Failure);
            }

            if (outcome.Unanswered is null)
            {
                return true;
            }

            last = (state, outcome);
        }

        if (last is not { } final)
        {
            // No account with a target could take it now: the caller answers (translation, or the pool's refusal).
            return false;
        }

        // Every native account failed in a way the next might not have: the last one's failure is the answer.
        await FailureResponses.WriteAsync(context, final.Outcome.Unanswered!);
        return true;
    }

    /// <summary>Where requests go: an absolute URL, or a path relative to the account's API base (<c>embeddings</c>).</summary>
    private string Target { get; } = target;

    /// <summary>
    /// Serves one request at this account. A failure before the response started is answered in the
    /// client's envelope (FailureResponses picks it by path), unless another account might not have it
    /// (GatewayChatHandler.MovesOn): that one is left unwritten and returned
    /// (<see cref="NativeOutcome.Unanswered"/>) for the caller to try the next account.
    /// <paramref name="interruptedFrame"/> is the event that ends a stream which broke after it started.
    /// Returns how the upstream answered (None: it answered 200; ClientCanceled: nothing the account
    /// did), for the account's state.
    /// </summary>
    private async Task<NativeOutcome> ServeAsync(
        HttpContext context,
        ReadOnlyMemory<byte> body,
        bool stream,
        Func<string, byte[]> interruptedFrame)
    {
        var aborted = context.RequestAborted;
        using var slot = stream ? streams.TryEnter() : null;
        if (stream && slot is null)
        {
            await FailureResponses.WriteAsync(context, UpstreamResult.Fail(FailureKind.RateLimited, 0, $"Too many open streams (limit {streams.Limit}); retry shortly.", retryAfter: TimeSpan.FromSeconds(1)));
            return new(FailureKind.ClientCanceled, null, null); // this proxy's own limit, not the account's
        }

        using var deadline = new CancellationTokenSource(stream ? options.StreamingTimeout : options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
        var call = account.Client.CreateCall(body, Target, account.Tokens, context.TraceIdentifier, stream, auth);

        UpstreamResult result;
        try
        {
            result = await account.Gate.SendAsync(call, account.Retry, linked.Token);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            context.Response.StatusCode = FailureResponses.ClientClosedRequest;
            return new(FailureKind.ClientCanceled, null, null);
        }

        using (result)
        {
            if (!result.IsSuccess)
            {
                var timedOut = result.Failure == FailureKind.ClientCanceled && deadline.IsCancellationRequested && !aborted.IsCancellationRequested;
                var failure = timedOut
                    ? UpstreamResult.Fail(FailureKind.UpstreamTimeout, 0, "The upstream did not answer within the request deadline.")
                    : result;
                metrics.RecordUpstreamFailure(failure.Failure);
                if (!timedOut && !aborted.IsCancellationRequested && GatewayChatHandler.MovesOn(failure.Failure, failure.StatusCode))
                {
                    return new(failure.Failure, failure.RetryAfter, failure);
                }

                if (failure.Failure == FailureKind.ClientCanceled)
                {
                    await FailureResponses.WriteAsync(context, FailureKind.ClientCanceled);
                }
                else
                {
                    await FailureResponses.WriteAsync(context, failure);
                }

                return new(failure.Failure, failure.RetryAfter, null);
            }

            var upstream = result.Response!;
            if (stream)
            {
                await CopyStreamAsync(context, upstream, interruptedFrame, linked.Token, aborted);
            }
            else
            {
                await CopyWholeAsync(context, upstream, deadline, linked.Token, aborted);
            }
        }

        return new(FailureKind.None, null, null);
    }

    private async Task CopyWholeAsync(
        HttpContext context,
        HttpResponseMessage upstream,
        CancellationTokenSource deadline,
        CancellationToken token,
        CancellationToken aborted)
    {
        byte[] answer;
        try
        {
            answer = await upstream.Content.ReadAsByteArrayAsync(token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            if (aborted.IsCancellationRequested)
            {
                return;
            }

            var kind = deadline.IsCancellationRequested ? FailureKind.UpstreamTimeout : FailureKind.StreamInterrupted;
            metrics.RecordUpstreamFailure(kind);
            await FailureResponses.WriteAsync(context, UpstreamResult.Fail(kind, 0, "The upstream connection broke while sending the answer."));
            return;
        }

        // A 200 whose JSON stops half way is a broken answer, as on the chat path, never a 200 with half a document.
        if (!Upstream.UpstreamJson.IsCompleteDocument(answer))
        {
            metrics.RecordUpstreamFailure(FailureKind.StreamInterrupted);
            await FailureResponses.WriteAsync(context, UpstreamResult.Fail(FailureKind.StreamInterrupted, 0, "The upstream answered 200 with a body that is not one complete JSON document."));
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "application/json";
        response.ContentLength = answer.Length;
        response.Headers[HeaderNames.CacheControl] = "no-store";
        await response.Body.WriteAsync(answer, aborted);
    }

    private async Task CopyStreamAsync(
        HttpContext context,
        HttpResponseMessage upstream,
        Func<string, byte[]> interruptedFrame,
        CancellationToken token,
        CancellationToken aborted)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = upstream.Content.Headers.ContentType?.ToString() ?? "text/event-stream";
        response.Headers[HeaderNames.CacheControl] = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";

        // Silence longer than READ_TIMEOUT_SECONDS ends the stream, as for chat streams.
        using var idle = new CancellationTokenSource(options.StreamIdleTimeout, time);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(token, idle.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        string? broken = null;
        try
        {
            await using var source = await upstream.Content.ReadAsStreamAsync(read.Token);
            await response.StartAsync(aborted);
            while (true)
            {
                var count = await source.ReadAsync(buffer.AsMemory(), read.Token);
                if (count == 0)
                {
                    break;
                }

                idle.CancelAfter(options.StreamIdleTimeout);
                await response.Body.WriteAsync(buffer.AsMemory(0, count), aborted);
                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            broken = idle.IsCancellationRequested
                ? "The upstream stream went silent for too long."
                : token.IsCancellationRequested ? "The upstream stream did not finish within the streaming deadline." : "The upstream stream broke before it completed.";
            metrics.RecordUpstreamFailure(idle.IsCancellationRequested ? FailureKind.StreamStalled : FailureKind.StreamInterrupted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (broken is not null && !aborted.IsCancellationRequested)
        {
            try
            {
                await response.Body.WriteAsync(interruptedFrame(broken), aborted);
                await response.Body.FlushAsync(aborted);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The client left as well.
            }
        }
    }
}

/// <summary>
/// How one native attempt ended, for the account's state: <see cref="Failure"/> (None: answered 200),
/// the upstream's <see cref="RetryAfter"/>, and the failure left for the caller to answer when the
/// next account may be tried (<see cref="Unanswered"/>; null when the client has its answer).
/// </summary>
internal sealed record NativeOutcome(FailureKind Failure, TimeSpan? RetryAfter, UpstreamResult? Unanswered);
