using System.Buffers;
using System.Text;
using Polly;
using Polly.Retry;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Streaming.Support;
using static Proxy.Actors.Tests.Streaming.Support.StreamHarness;

namespace Proxy.Actors.Tests.Streaming;

public sealed class StreamActorTests
{
    private const string Done = "data: [DONE]\n\n";

    [Fact]
    public async Task Stream_actor_must_pass_a_clean_stream_through_byte_for_byte()
    {
        await using var kit = new StreamHarness();
        string[] payloads =
        [
            ChunkJson.Content("", role: "assistant"), ChunkJson.Content("="), ChunkJson.Content("=="), ChunkJson.Content("\n"),
            ChunkJson.Content("\n"), ChunkJson.Content(""), ChunkJson.Content(" x \u00e9\u4e2d", asciiOnly: true), ChunkJson.Finish("stop"),
            ChunkJson.Usage(5, 7),
        ];
        var body = new UpstreamBody();
        foreach (var p in payloads)
        {
            body.Event(p);
        }

        body.Done();
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        var expected = string.Concat(payloads.Select(Frame)) + Done;
        Assert.Equal(expected, await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.None, outcome.Failure);
        Assert.True(outcome.ResponseStarted);
        Assert.Equal(200, outcome.UpstreamStatus);
        Assert.Equal(payloads.Length + 1, outcome.EventsOut);
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), outcome.BytesOut);
        Assert.Equal(0, outcome.Repairs);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal(1, kit.Client.Starts);
        Assert.Equal(["Initial -> Stuttering (first event)", "Stuttering -> Terminating (done)"], kit.Transitions);
    }

    [Fact]
    public async Task Stream_actor_must_repair_stuttering_and_say_so_in_its_transitions()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody()
            .Event(ChunkJson.Role())
            .Event(ChunkJson.Content("Hello"))
            .Event(ChunkJson.Content("Hello world"))
            .Event(ChunkJson.Content("Hello world, how"))
            .Event(ChunkJson.Content(" are you?"))
            .Event(ChunkJson.Finish("stop"))
            .Done();
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        var text = await kit.Client.AllTextAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Hello world, how are you?", ChunkJson.ClientText(events.Where(e => e != "data: [DONE]").Select(e => Encoding.UTF8.GetBytes(e["data: ".Length..]))));
        Assert.Equal(Frame(ChunkJson.Content(" world")), events[2] + "\n\n");
        Assert.Equal(2, outcome.Repairs);
        Assert.EndsWith(Done, text, StringComparison.Ordinal);
        Assert.Equal(
            ["Initial -> Stuttering (first event)", "Stuttering -> NormalFlow (deltas resumed after snapshots)", "NormalFlow -> Terminating (done)"],
            kit.Transitions);
    }

    [Fact]
    public async Task Stream_actor_must_flush_held_text_when_the_stream_ends_with_done_but_no_finish()
    {
        await using var kit = new StreamHarness();
        kit.Upstream.ThenStream(new UpstreamBody().Event(ChunkJson.Content("=")).Event(ChunkJson.Content("==")).Done());

        var outcome = await kit.Start();

        Assert.Equal(Frame(ChunkJson.Content("=")) + Frame(ChunkJson.Content("==")) + Done, await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.None, outcome.Failure);
    }

    [Fact]
    public async Task Stream_actor_must_flush_held_text_before_the_error_when_the_upstream_ends_without_done()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("=")).Event(ChunkJson.Content("=="));
        body.End();
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        Assert.Equal(
            Frame(ChunkJson.Content("=")) + Frame(ChunkJson.Content("=="))
            + "data: {\"error\":{\"message\":\"The upstream ended the stream before it was complete.\",\"type\":\"upstream_error\",\"code\":\"stream_interrupted\"}}\n\n",
            await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.StreamInterrupted, outcome.Failure);
        Assert.True(outcome.ResponseStarted);
    }

    [Fact]
    public async Task Stream_actor_must_end_a_finished_stream_without_done_with_done()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi")).Event(ChunkJson.Finish("stop"));
        body.End();
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        Assert.Equal(Frame(ChunkJson.Content("Hi")) + Frame(ChunkJson.Finish("stop")) + Done, await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.None, outcome.Failure);
    }

    [Fact]
    public async Task Stream_actor_must_end_with_a_stalled_error_after_the_read_timeout()
    {
        await using var kit = new StreamHarness();

        // Keep-alives every 20 s, so none is due at the 45 s read timeout itself (with 15 s, one is
        // legitimately due at exactly 45 s, and whether a tick sees that instant first is a race).
        kit.Options = kit.Options with { KeepAliveInterval = TimeSpan.FromSeconds(20) };
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);
        await body.WhenReadPendingAsync();

        // Each step is seen by the actor before the next (its ticks run after Advance returns).
        kit.Time.Advance(TimeSpan.FromSeconds(20));
        await kit.Client.WaitForAsync(t => t.EndsWith(": keep-alive\n\n", StringComparison.Ordinal));
        kit.Time.Advance(TimeSpan.FromSeconds(20));
        await kit.Client.WaitForAsync(t => t.EndsWith(": keep-alive\n\n: keep-alive\n\n", StringComparison.Ordinal));
        kit.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(run.IsCompleted);
        kit.Time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await run;

        Assert.Equal(
            Frame(ChunkJson.Content("Hi")) + ": keep-alive\n\n" + ": keep-alive\n\n"
            + "data: {\"error\":{\"message\":\"The upstream sent nothing for 45 s.\",\"type\":\"upstream_timeout\",\"code\":\"stream_stalled\"}}\n\n",
            await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.StreamStalled, outcome.Failure);
        Assert.True(outcome.ResponseStarted);
        await body.ReadCanceled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stream_actor_must_send_a_keep_alive_comment_during_a_long_silence()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);
        await body.WhenReadPendingAsync();

        kit.Time.Advance(TimeSpan.FromSeconds(14));
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        await kit.Client.WaitForAsync(t => t.EndsWith(": keep-alive\n\n", StringComparison.Ordinal));
        body.Event(ChunkJson.Content(" there")).Event(ChunkJson.Finish("stop")).Done();
        var outcome = await run;

        Assert.Equal(
            Frame(ChunkJson.Content("Hi")) + ": keep-alive\n\n" + Frame(ChunkJson.Content(" there")) + Frame(ChunkJson.Finish("stop")) + Done,
            await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.None, outcome.Failure);
        Assert.Equal(4, outcome.EventsOut);
    }

    [Fact]
    public async Task Stream_actor_must_send_no_keep_alive_when_turned_off()
    {
        await using var kit = new StreamHarness();
        kit.Options = kit.Options with { KeepAliveInterval = TimeSpan.Zero };
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);
        await body.WhenReadPendingAsync();

        kit.Time.Advance(TimeSpan.FromSeconds(46));
        await run;

        Assert.DoesNotContain("keep-alive", await kit.Client.AllTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_actor_must_pass_an_event_that_is_not_json_on_unchanged_and_count_it()
    {
        await using var kit = new StreamHarness();
        kit.Upstream.ThenStream(new UpstreamBody()
            .Event(ChunkJson.Content("a"))
            .Event("{\"choices\":[{\"delta\":{\"content\":\"b\"")
            .Event(ChunkJson.Content("c"))
            .Done());

        var outcome = await kit.Start();

        // Nothing the upstream sent is dropped while the stream still ends with [DONE].
        Assert.Equal(
            Frame(ChunkJson.Content("a")) + Frame("{\"choices\":[{\"delta\":{\"content\":\"b\"") + Frame(ChunkJson.Content("c")) + Done,
            await kit.Client.AllTextAsync());
        Assert.Equal(1, outcome.MalformedEvents);
        Assert.Equal(4, outcome.EventsOut);
        Assert.Equal(FailureKind.None, outcome.Failure);
    }

    [Fact]
    public async Task Stream_actor_must_end_a_reset_stream_with_an_error_event_and_no_done()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hello")).Event(ChunkJson.Content(" wor"));
        body.Fail(new IOException("Connection reset by peer"));
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        Assert.Equal(
            Frame(ChunkJson.Content("Hello")) + Frame(ChunkJson.Content(" wor"))
            + "data: {\"error\":{\"message\":\"The upstream connection broke during the stream.\",\"type\":\"upstream_error\",\"code\":\"stream_interrupted\"}}\n\n",
            await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.StreamInterrupted, outcome.Failure);
        Assert.True(outcome.ResponseStarted);
        Assert.Contains("Stuttering -> Recovering (upstream read failed: IOException)", kit.Transitions);
    }

    [Fact]
    public async Task Stream_actor_must_relay_an_upstream_error_event_and_end_there_without_done()
    {
        await using var kit = new StreamHarness();
        const string error = "{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\",\"code\":null}}";
        kit.Upstream.ThenStream(new UpstreamBody().Event(ChunkJson.Content("=")).Event(ChunkJson.Content("==")).Event(error).Done());

        var outcome = await kit.Start();

        Assert.Equal(Frame(ChunkJson.Content("=")) + Frame(ChunkJson.Content("==")) + Frame(error), await kit.Client.AllTextAsync());
        Assert.Equal(FailureKind.StreamInterrupted, outcome.Failure);
        Assert.Equal("upstream_error_event", outcome.Code);
        Assert.True(outcome.ResponseStarted);
    }

    [Fact]
    public async Task Stream_actor_must_take_an_error_in_place_of_the_first_event_for_a_failed_attempt()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event("{\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}");
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        Assert.Equal(FailureKind.UpstreamServerError, outcome.Failure);
        Assert.Equal(502, outcome.UpstreamStatus);
        Assert.Equal("The upstream failed with status 502: model overloaded", outcome.Message);
        Assert.False(outcome.ResponseStarted);
        Assert.Equal("", await kit.Client.AllTextAsync());
        await body.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stream_actor_must_report_a_failure_before_the_first_byte_without_writing()
    {
        await using var kit = new StreamHarness();
        kit.Upstream.ThenFail(FailureKind.QuotaExhausted, 429, "free allocated quota exceeded", "insufficient_quota");

        var outcome = await kit.Start();

        Assert.Equal(FailureKind.QuotaExhausted, outcome.Failure);
        Assert.False(outcome.ResponseStarted);
        Assert.Equal(429, outcome.UpstreamStatus);
        Assert.Equal("free allocated quota exceeded", outcome.Message);
        Assert.Equal("insufficient_quota", outcome.Code);
        Assert.Equal(0, outcome.EventsOut);
        Assert.False(kit.Client.HasStarted);
        Assert.Equal("", await kit.Client.AllTextAsync());
    }

    [Fact]
    public async Task Stream_actor_must_report_a_reset_before_the_first_event_as_not_started()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody();
        body.Fail(new IOException("Connection reset by peer"));
        kit.Upstream.ThenStream(body);

        var outcome = await kit.Start();

        Assert.Equal(FailureKind.UpstreamUnreachable, outcome.Failure);
        Assert.False(outcome.ResponseStarted);
        Assert.False(kit.Client.HasStarted);
        await body.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stream_actor_must_time_out_an_upstream_that_sends_no_first_event()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody();
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await body.WhenReadPendingAsync();

        kit.Time.Advance(TimeSpan.FromSeconds(30));
        var outcome = await run;

        Assert.Equal(FailureKind.UpstreamTimeout, outcome.Failure);
        Assert.Equal("The upstream sent no event within 30 s.", outcome.Message);
        Assert.False(outcome.ResponseStarted);
        Assert.Equal("", await kit.Client.AllTextAsync());
    }

    [Fact]
    public async Task Stream_actor_must_retry_before_the_first_byte_and_then_stream()
    {
        await using var kit = new StreamHarness();
        var stalled = new UpstreamBody();
        stalled.Fail(new IOException("reset before the first event"));
        var good = new UpstreamBody().Event(ChunkJson.Content("ok")).Event(ChunkJson.Finish("stop")).Done();
        kit.Upstream
            .ThenFail(FailureKind.UpstreamServerError, 503, "busy")
            .ThenStream(stalled)
            .ThenStream(good);

        var outcome = await kit.Start(RetryingPipeline(attempts: 3));

        Assert.Equal(FailureKind.None, outcome.Failure);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(3, kit.Upstream.Calls);
        Assert.Equal(Frame(ChunkJson.Content("ok")) + Frame(ChunkJson.Finish("stop")) + Done, await kit.Client.AllTextAsync());
        Assert.Equal(1, kit.Client.Starts);
        Assert.Equal("Initial -> Recovering (attempt failed: UpstreamServerError)", kit.Transitions[0]);
        Assert.Equal("Recovering -> Stuttering (first event)", kit.Transitions[^2]);
    }

    [Fact]
    public async Task Stream_actor_must_give_up_after_the_retries_without_writing()
    {
        await using var kit = new StreamHarness();
        kit.Upstream
            .ThenFail(FailureKind.UpstreamServerError, 502, "bad gateway")
            .ThenFail(FailureKind.UpstreamServerError, 503, "still busy");

        var outcome = await kit.Start(RetryingPipeline(attempts: 2));

        Assert.Equal(FailureKind.UpstreamServerError, outcome.Failure);
        Assert.Equal(503, outcome.UpstreamStatus);
        Assert.Equal("still busy", outcome.Message);
        Assert.Equal(2, outcome.Attempts);
        Assert.False(outcome.ResponseStarted);
    }

    [Fact]
    public async Task Stream_actor_must_cancel_the_upstream_at_once_when_the_client_disconnects()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);
        await body.WhenReadPendingAsync();

        await kit.Abort.CancelAsync();

        Assert.True(kit.Upstream.Tokens[0].IsCancellationRequested);
        await body.ReadCanceled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var outcome = await run;
        Assert.Equal(FailureKind.ClientCanceled, outcome.Failure);
        Assert.Equal(Frame(ChunkJson.Content("Hi")), await kit.Client.AllTextAsync());
        await body.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stream_actor_must_cancel_the_opening_attempt_when_the_client_disconnects()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody();
        kit.Upstream.ThenStream(body);
        var run = kit.Start(RetryingPipeline(attempts: 3));
        await body.WhenReadPendingAsync();

        await kit.Abort.CancelAsync();

        var outcome = await run;
        Assert.Equal(FailureKind.ClientCanceled, outcome.Failure);
        Assert.False(outcome.ResponseStarted);
        Assert.True(kit.Upstream.Tokens[0].IsCancellationRequested);
        await body.ReadCanceled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, kit.Upstream.Calls);
    }

    [Fact]
    public async Task Stream_actor_must_bound_the_upstream_read_by_what_a_slow_client_takes()
    {
        await using var kit = new StreamHarness(pausedClient: true);
        kit.Options = kit.Options with { MailboxCapacity = 4 };
        var body = new UpstreamBody();
        for (var i = 0; i < 100; i++)
        {
            body.Event(ChunkJson.Content($" w{i}"));
        }

        body.Done();
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        try
        {
            // The client reads nothing: about a mailbox's worth of events is written before a flush
            // waits on the client, and the reader is at most its four credits ahead of the writer.
            const int bound = 2 + (2 * 4);
            var beyond = await Record.ExceptionAsync(() => WaitForReadsAsync(body, bound + 1, TimeSpan.FromMilliseconds(500)));
            Assert.True(beyond is TimeoutException, $"read {body.Reads} events while the client read none");
            Assert.InRange(body.Reads, 2, bound);
            Assert.False(run.IsCompleted);
        }
        finally
        {
            kit.Client.Resume();
        }

        var outcome = await run;
        Assert.Equal(FailureKind.None, outcome.Failure);
        Assert.Equal(101, outcome.EventsOut);
        Assert.Equal(string.Concat(Enumerable.Range(0, 100).Select(i => $" w{i}")), ChunkJson.ClientText(Payloads(await kit.Client.AllTextAsync())));
    }

    [Fact]
    public async Task Stream_actor_must_flush_an_event_that_was_followed_only_by_a_tick()
    {
        await using var kit = new StreamHarness(pausedClient: true);
        var body = new UpstreamBody().Event(ChunkJson.Content("one"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WhenFlushedAsync(1);

        // While the first flush waits on the client, the read started before it takes the second
        // event, and a tick queues behind it; the next read waits for the flush.
        body.Event(ChunkJson.Content(" two"));
        while (body.Reads < 2)
        {
            await body.WhenReadPendingAsync();
            await Task.Yield();
        }

        kit.Time.Advance(TimeSpan.FromSeconds(1));
        kit.Client.Resume();

        await kit.Client.WaitForAsync(t => t == Frame(ChunkJson.Content("one")) + Frame(ChunkJson.Content(" two")));
        body.Done();
        await run;
    }

    [Fact]
    public async Task Stream_actor_must_report_exactly_once_when_stopped_mid_stream()
    {
        var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);

        await kit.DisposeAsync();
        var outcome = await run.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new Xunit.Sdk.XunitException(string.Join("\n", kit.Logs.Lines)), TaskScheduler.Default);

        Assert.Equal(FailureKind.StreamInterrupted, outcome.Failure);
        Assert.Equal(1, kit.Completions);
        Assert.Equal(
            Frame(ChunkJson.Content("Hi")) + "data: {\"error\":{\"message\":\"The stream was stopped.\",\"type\":\"upstream_error\",\"code\":\"stream_interrupted\"}}\n\n",
            await kit.Client.AllTextAsync());
        await body.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Stream_actor_must_report_exactly_once_when_done_and_disconnect_race()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi")).Event(ChunkJson.Finish("stop")).Done();
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Abort.CancelAsync();
        await run;
        await kit.System.Terminate();

        Assert.Equal(1, kit.Completions);
    }

    [Fact]
    public async Task Stream_actor_must_end_with_an_error_event_when_the_server_drains()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("Hi"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);

        await kit.Drain.CancelAsync();
        var outcome = await run;

        Assert.Equal(FailureKind.ShuttingDown, outcome.Failure);
        Assert.Equal(
            Frame(ChunkJson.Content("Hi"))
            + "data: {\"error\":{\"message\":\"The server is shutting down; the stream was ended early.\",\"type\":\"service_unavailable\",\"code\":\"shutting_down\"}}\n\n",
            await kit.Client.AllTextAsync());
    }

    [Fact]
    public async Task Stream_actor_must_pass_each_repaired_payload_and_the_end_through_the_translator()
    {
        await using var kit = new StreamHarness();
        kit.Upstream.ThenStream(new UpstreamBody().Event(ChunkJson.Content("Hello")).Event(ChunkJson.Content("Hello world")).Done());

        var outcome = await kit.Start(translator: new ContentOnlyTranslator());

        Assert.Equal("event: text\ndata: Hello\n\nevent: text\ndata:  world\n\nevent: end\n\n", await kit.Client.AllTextAsync());
        Assert.Equal(1, outcome.Repairs);
    }

    [Fact]
    public async Task Stream_actor_must_leave_content_alone_when_the_repair_is_off()
    {
        await using var kit = new StreamHarness();
        kit.Options = kit.Options with { RepairEnabled = false };
        kit.Upstream.ThenStream(new UpstreamBody().Event(ChunkJson.Content("Hello")).Event(ChunkJson.Content("Hello world")).Done());

        var outcome = await kit.Start();

        Assert.Equal(Frame(ChunkJson.Content("Hello")) + Frame(ChunkJson.Content("Hello world")) + Done, await kit.Client.AllTextAsync());
        Assert.Equal(0, outcome.Repairs);
        Assert.Equal("Initial -> NormalFlow (first event)", kit.Transitions[0]);
    }

    [Fact]
    public async Task Stream_actor_must_release_held_text_when_the_hold_time_passes()
    {
        await using var kit = new StreamHarness();
        kit.Options = kit.Options.WithMaxHoldTime(TimeSpan.FromMilliseconds(200));
        var body = new UpstreamBody().Event(ChunkJson.Content("=")).Event(ChunkJson.Content("=="));
        kit.Upstream.ThenStream(body);
        var run = kit.Start();
        await kit.Client.WaitForAsync(t => t.Length > 0);
        await body.WhenReadPendingAsync();
        Assert.Equal(Frame(ChunkJson.Content("=")), kit.Client.Text);

        kit.Time.Advance(TimeSpan.FromMilliseconds(200));

        await kit.Client.WaitForAsync(t => t == Frame(ChunkJson.Content("=")) + Frame(ChunkJson.Content("==")));
        body.Done();
        await run;
    }

    [Fact]
    public async Task Stream_actor_that_throws_ends_its_response_with_an_error_event_and_is_stopped_not_restarted()
    {
        await using var kit = new StreamHarness();
        var body = new UpstreamBody().Event(ChunkJson.Content("one"));
        kit.Upstream.ThenStream(body);
        var run = kit.Start(translator: new ContentOnlyTranslator(throwOn: "two"));
        await kit.Client.WaitForAsync(t => t.Length > 0);

        body.Event(ChunkJson.Content("two"));
        var outcome = await run;
        await kit.Client.Writer.FlushAsync(); // as the host does when the request ends

        Assert.Equal(FailureKind.StreamInterrupted, outcome.Failure);
        Assert.True(outcome.ResponseStarted);
        Assert.Equal("event: text\ndata: one\n\nevent: error\ndata: The stream was stopped.\n\n", await kit.Client.AllTextAsync());
        Assert.Equal(1, kit.Completions);
        Assert.Equal(1, kit.Client.Starts); // never restarted: one response, opened once
        Assert.Equal(1, kit.Upstream.Calls);
        Assert.Equal(0, kit.Breaker.ActiveStreams);
        await body.Disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static ResiliencePipeline RetryingPipeline(int attempts) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = attempts - 1,
                Delay = TimeSpan.Zero,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is IUpstreamOutcome { Failure: var f } ? f.IsTransient() : args.Outcome.Exception is not OperationCanceledException and not null),
                OnRetry = args =>
                {
                    (args.Outcome.Result as IDisposable)?.Dispose();
                    return default;
                },
            })
            .Build();

    private static async Task WaitForReadsAsync(UpstreamBody body, int reads, TimeSpan within)
    {
        using var patience = new CancellationTokenSource(within);
        while (body.Reads < reads)
        {
            try
            {
                await body.WhenReadPendingAsync().WaitAsync(patience.Token);
                await Task.Yield();
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException();
            }
        }
    }

    private static IEnumerable<byte[]> Payloads(string sse) =>
        sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(e => e.StartsWith("data: {", StringComparison.Ordinal))
            .Select(e => Encoding.UTF8.GetBytes(e["data: ".Length..]));

    /// <summary>Sends only the content text of each chunk (a stand-in for another protocol).</summary>
    private sealed class ContentOnlyTranslator(string? throwOn = null) : IStreamTranslator
    {
        public void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
        {
            if (ChunkJson.ContentOf(chunk.ToArray()) is { } content)
            {
                if (content == throwOn)
                {
                    throw new InvalidOperationException("translator bug");
                }

                output.Write(Encoding.UTF8.GetBytes("event: text\ndata: " + content + "\n\n"));
            }
        }

        public void WriteDone(IBufferWriter<byte> output) => output.Write("event: end\n\n"u8);

        public void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output) =>
            output.Write(Encoding.UTF8.GetBytes("event: error\ndata: " + message + "\n\n"));
    }
}
