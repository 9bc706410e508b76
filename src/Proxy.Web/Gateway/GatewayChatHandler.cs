using Microsoft.Net.Http.Headers;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Web.Accounts;
using Proxy.Web.Configuration;
using Proxy.Web.Errors;
using Proxy.Web.Hosting;
using Proxy.Web.Metrics;
using Proxy.Web.RateLimiting;
using Proxy.Web.Requests;
using Proxy.Web.Telemetry;
using Proxy.Web.Upstream;

namespace Proxy.Web.Gateway;

/// <summary>
/// Serves chat and legacy completions through the pool: the pool names the accounts to try, in
/// order; the first is tried, and a failure before the first byte for an account-level reason
/// (quota, rate limit, rejected key, 5xx, unreachable, open breaker) moves the request to the next.
/// A stream never changes account after its first byte. A stream goes to a stream actor spawned
/// under its account's circuit breaker; a plain request goes through the account's breaker and
/// retry pipeline. Every failure leaves as the failure's own status, never as a 200.
/// </summary>
internal sealed class GatewayChatHandler(
    UpstreamPool pool,
    ProxyOptions options,
    StreamOptions streamOptions,
    StreamConcurrencyLimiter streams,
    ShutdownDrain drain,
    ProxyMetrics metrics,
    TimeProvider time,
    ILogger<GatewayChatHandler> logger) : IChatCompletionsHandler
{
    private const string ChatPath = "chat/completions";

    public async Task HandleAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        var affinity = pool.Accounts.Options.Affinity;
        var key = affinity.Enabled ? AffinityKey.Compute(affinity, context.Request.Headers[affinity.Header].ToString(), request.Body.Span) : null;
        var selection = pool.Accounts.Select(request.Model, key);
        if (selection.Refusal is { } refusal)
        {
            await WriteRefusalAsync(context, refusal);
            return;
        }

        if (request.Stream)
        {
            await StreamAsync(context, request, selection, cancellationToken);
        }
        else
        {
            await CompleteAsync(context, request, selection, cancellationToken);
        }
    }

    /// <summary>True when the next account may succeed where this one failed, and nothing reached the client.</summary>
    internal static bool MovesOn(FailureKind failure, int upstreamStatus) => failure switch
    {
        FailureKind.QuotaExhausted or FailureKind.RateLimited or FailureKind.Unauthorized or FailureKind.AuthRequired
            or FailureKind.UpstreamServerError or FailureKind.UpstreamUnreachable or FailureKind.UpstreamTimeout
            or FailureKind.CircuitOpen or FailureKind.StreamInterrupted or FailureKind.StreamStalled => true,
        FailureKind.UpstreamClientError => upstreamStatus is 401 or 403,
        _ => false,
    };

    private async Task StreamAsync(HttpContext context, ChatRequest request, PoolSelection selection, CancellationToken cancellationToken)
    {
        using var slot = streams.TryEnter();
        if (slot is null)
        {
            await FailureResponses.WriteAsync(context, FailureKind.RateLimited, $"Too many open streams (limit {streams.Limit}); retry shortly.", retryAfter: TimeSpan.FromSeconds(1));
            return;
        }

        var genAi = context.Features.Get<GenAiCall>();
        Failed? last = null;
        foreach (var state in selection.Candidates)
        {
            if (!state.TryAcquire(out var lease))
            {
                continue;
            }

            LogMove(last, state);
            var account = pool.For(state);
            StreamOutcome outcome;
            try
            {
                outcome = await StreamOnceAsync(context, request, state, account, cancellationToken);
            }
            catch
            {
                state.Complete(lease, FailureKind.ClientCanceled);
                throw;
            }

            // Time to first token is recorded once, by the request log (the client stream marks it).
            state.Complete(lease, outcome.Failure, outcome.RetryAfter);
            metrics.RecordAccountAttempt(state.Name, outcome.Failure);
            for (var i = 0; i < outcome.Repairs; i++)
            {
                metrics.RecordStutterRepair();
            }

            if (outcome.Failure == FailureKind.None)
            {
                genAi?.Streamed(outcome, state.Name);
                return;
            }

            metrics.RecordUpstreamFailure(outcome.Failure);
            last = new Failed(state, outcome.Failure, outcome.UpstreamStatus, outcome.Message, outcome.Code, outcome.RetryAfter);
            if (outcome.ResponseStarted || cancellationToken.IsCancellationRequested || !MovesOn(outcome.Failure, outcome.UpstreamStatus))
            {
                genAi?.Streamed(outcome, state.Name);
                if (!outcome.ResponseStarted)
                {
                    await WriteFailureAsync(context, last);
                }

                return;
            }
        }

        if (last is not null)
        {
            genAi?.Failed(last.Failure, last.Account.Name);
        }

        await WriteExhaustedAsync(context, request, last);
    }

    /// <summary>One attempt at one account: admitted by its breaker, then a stream actor under it.</summary>
    private async Task<StreamOutcome> StreamOnceAsync(HttpContext context, ChatRequest request, AccountState state, UpstreamAccount account, CancellationToken cancellationToken)
    {
        if (!account.Breaker.TryAcquirePermit(out var epoch, out var retryAfter))
        {
            var refusal = BreakerSnapshot.Refusal(retryAfter);
            return new StreamOutcome(refusal.Failure, false, refusal.StatusCode, refusal.Message, refusal.Code, refusal.RetryAfter, 0, 0, null, 0, 0, 0);
        }

        var call = account.Client.CreateCall(BodyFor(request, state), ChatPath, account.Tokens, context.TraceIdentifier, stream: true, account: account.Headers);
        var job = new StreamJob(
            context.TraceIdentifier,
            ParentedUpstreamCall.Under(context.Features.Get<GenAiCall>()?.Activity, account.SharesCooldown ? account.Gate.Guard(call) : call),
            new HttpClientStream(context),
            streamOptions,
            cancellationToken,
            account.Retry,
            request.Protocol?.CreateStreamTranslator())
        {
            Draining = drain.DrainingDeadline,
        };
        // One Tell to the account's breaker, which spawns the stream actor; the outcome comes back once.
        return await account.Breaker.RunStream(job, epoch);
    }

    private async Task CompleteAsync(HttpContext context, ChatRequest request, PoolSelection selection, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var genAi = context.Features.Get<GenAiCall>();
        Failed? last = null;
        foreach (var state in selection.Candidates)
        {
            if (!state.TryAcquire(out var lease))
            {
                continue;
            }

            LogMove(last, state);
            var account = pool.For(state);
            UpstreamResult result;
            try
            {
                result = await SendOnceAsync(BodyFor(request, state), account, context.TraceIdentifier, linked.Token);
            }
            catch
            {
                state.Complete(lease, FailureKind.ClientCanceled);
                throw;
            }

            using (result)
            {
                var timedOut = result.Failure == FailureKind.ClientCanceled && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
                var failure = timedOut ? FailureKind.UpstreamTimeout : result.Failure;
                state.Complete(lease, failure, result.RetryAfter);
                metrics.RecordAccountAttempt(state.Name, failure);
                if (result.IsSuccess)
                {
                    await WriteAnswerAsync(context, request, state.Name, result, deadline, linked.Token, cancellationToken);
                    return;
                }

                metrics.RecordUpstreamFailure(failure);
                if (timedOut)
                {
                    genAi?.Failed(failure, state.Name);
                    await FailureResponses.WriteAsync(context, FailureKind.UpstreamTimeout, "The upstream did not answer within the request deadline.");
                    return;
                }

                last = new Failed(state, result.Failure, result.StatusCode, result.Message, result.Code, result.RetryAfter);
                if (cancellationToken.IsCancellationRequested || !MovesOn(result.Failure, result.StatusCode))
                {
                    genAi?.Failed(failure, state.Name);
                    await WriteFailureAsync(context, last);
                    return;
                }
            }
        }

        if (last is not null)
        {
            genAi?.Failed(last.Failure, last.Account.Name);
        }

        await WriteExhaustedAsync(context, request, last);
    }

    /// <summary>One non-streaming attempt at one account: its breaker's permit, its retry pipeline, the outcome reported.</summary>
    private static async Task<UpstreamResult> SendOnceAsync(ReadOnlyMemory<byte> body, UpstreamAccount account, string requestId, CancellationToken cancellationToken)
    {
        var call = account.Client.CreateCall(body, ChatPath, account.Tokens, requestId, stream: false, account: account.Headers);
        if (account.SharesCooldown)
        {
            return await account.Gate.SendAsync(call, account.Retry, cancellationToken);
        }

        if (!account.Breaker.TryAcquirePermit(out var epoch, out var retryAfter))
        {
            return BreakerSnapshot.Refusal(retryAfter);
        }

        UpstreamResult result;
        try
        {
            result = await account.Retry.ExecuteAsync(call, cancellationToken);
        }
        catch
        {
            // Not an answer from the upstream: says nothing of its health, and frees a trial permit.
            account.Breaker.ReportOutcome(FailureKind.ClientCanceled, epoch);
            throw;
        }

        account.Breaker.ReportOutcome(result.Failure, epoch);
        return result;
    }

    private async Task WriteAnswerAsync(
        HttpContext context, ChatRequest request, string account, UpstreamResult result, CancellationTokenSource deadline, CancellationToken linked, CancellationToken cancellationToken)
    {
        var genAi = context.Features.Get<GenAiCall>();
        // The whole answer is read before a byte is sent, so a body that breaks is a 502, not a truncated 200.
        byte[] body;
        try
        {
            body = await result.Response!.Content.ReadAsByteArrayAsync(linked);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            var kind = deadline.IsCancellationRequested ? FailureKind.UpstreamTimeout : FailureKind.StreamInterrupted;
            metrics.RecordUpstreamFailure(kind);
            genAi?.Failed(kind, account);
            await FailureResponses.WriteAsync(context, kind, "The upstream connection broke while sending the answer.");
            return;
        }

        if (!UpstreamJson.IsCompleteDocument(body))
        {
            metrics.RecordUpstreamFailure(FailureKind.StreamInterrupted);
            genAi?.Failed(FailureKind.StreamInterrupted, account);
            await FailureResponses.WriteAsync(context, FailureKind.StreamInterrupted, "The upstream answered 200 with a body that is not one complete JSON document.");
            return;
        }

        genAi?.Completed(body, account);
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

    /// <summary>The body for one account: the client's bytes, with the account's name for the model when its aliases rename it.</summary>
    private static ReadOnlyMemory<byte> BodyFor(ChatRequest request, AccountState state) =>
        state.Definition.Aliases.Count > 0 && state.Definition.Serves(request.Model) is { } model && !string.Equals(model, request.Model, StringComparison.Ordinal)
            ? ModelRewriter.Rewrite(request.Body, model)
            : request.Body;

    /// <summary>
    /// Every candidate failed (or none could be taken): when every account now rests, the pool says so
    /// (429 with the earliest recovery); else the last failure, which names what happened.
    /// </summary>
    private async Task WriteExhaustedAsync(HttpContext context, ChatRequest request, Failed? last)
    {
        var refusal = pool.Accounts.Select(request.Model).Refusal;
        if (refusal is { Status: StatusCodes.Status429TooManyRequests } || (refusal is not null && last is null))
        {
            await WriteRefusalAsync(context, refusal);
        }
        else if (last is not null)
        {
            await WriteFailureAsync(context, last);
        }
        else
        {
            await FailureResponses.WriteAsync(context, FailureKind.RateLimited, "Every upstream account is busy; retry shortly.", retryAfter: TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A key written in the accounts file is taken again when the file changes; one from a variable needs a restart.</summary>
    private static string UntilRevived(AccountDefinition account) =>
        account.ApiKeySource == AccountsFileLoader.LiteralKeySource
            ? "its key is replaced in the accounts file"
            : "its key is replaced and the proxy restarted";

    /// <summary>A rejected API key is named as the account's state, never with login advice.</summary>
    private static Task WriteFailureAsync(HttpContext context, Failed failed)
    {
        if (failed.Failure is FailureKind.AuthRequired or FailureKind.Unauthorized && failed.Account.Definition.Kind == AccountKind.ApiKey)
        {
            return OpenAiError.WriteAsync(
                context,
                StatusCodes.Status503ServiceUnavailable,
                "upstream_error",
                $"The upstream rejected the key of account '{failed.Account.Name}' ({failed.Account.Definition.ApiKeySource}); the account is marked dead (invalid_api_key) until {UntilRevived(failed.Account.Definition)}.",
                "invalid_api_key",
                param: null,
                retryAfter: null);
        }

        return FailureResponses.WriteAsync(context, failed.Failure, failed.Message, failed.UpstreamStatus, failed.Code, failed.RetryAfter);
    }

    /// <summary>The pool's refusal (no account serves the model, every account rests or is dead) in the client's envelope.</summary>
    internal static Task WriteRefusalAsync(HttpContext context, PoolRefusal refusal) =>
        refusal.Type == "auth_required"
            ? FailureResponses.WriteAsync(context, FailureKind.AuthRequired, refusal.Message)
            : OpenAiError.WriteAsync(context, refusal.Status, refusal.Type, refusal.Message, refusal.Code, param: null, refusal.RetryAfter);

    private void LogMove(Failed? last, AccountState next)
    {
        if (last is not null)
        {
            AccountLog.FailedOver(logger, last.Account.Name, next.Name, ProxyMetrics.FailureLabel(last.Failure));
        }
    }

    /// <summary>An attempt that failed before the first byte, and where.</summary>
    private sealed record Failed(AccountState Account, FailureKind Failure, int UpstreamStatus, string? Message, string? Code, TimeSpan? RetryAfter);
}
