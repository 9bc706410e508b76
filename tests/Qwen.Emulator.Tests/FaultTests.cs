using System.Text;
using System.Text.Json;
using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class FaultTests
{
    [Theory]
    [InlineData("500", 500, """{"error":{"message":"emulated fault: 500 Internal Server Error","type":"server_error","param":null,"code":"emulated_fault"}}""")]
    [InlineData("502", 502, """{"error":{"message":"emulated fault: 502 Bad Gateway","type":"server_error","param":null,"code":"emulated_fault"}}""")]
    [InlineData("503", 503, """{"error":{"message":"emulated fault: 503 Service Unavailable","type":"server_error","param":null,"code":"emulated_fault"}}""")]
    [InlineData("504", 504, """{"error":{"message":"emulated fault: 504 Gateway Timeout","type":"server_error","param":null,"code":"emulated_fault"}}""")]
    [InlineData("400", 400, """{"error":{"message":"emulated fault: 400 Bad Request","type":"invalid_request_error","param":null,"code":"emulated_fault"}}""")]
    [InlineData("401", 401, """{"error":{"message":"invalid access token or token expired","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""")]
    [InlineData("429_quota", 429, """{"error":{"message":"Free allocated quota exceeded.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""")]
    [InlineData("403_quota", 403, """{"error":{"message":"Allocated quota exceeded, please increase your quota limit.","type":"insufficient_quota","param":null,"code":"quota_exceeded"}}""")]
    public async Task Status_fault_answers_that_status_and_body_for_stream_and_not(string fault, int status, string body)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (streamed, streamedBody) = await emulator.ChatAsync("""{"stream":true}""", $"fault={fault}");
        var (plain, plainBody) = await emulator.ChatAsync("{}", $"fault={fault}");

        Assert.Equal((status, body), ((int)streamed.StatusCode, streamedBody));
        Assert.Equal((status, body), ((int)plain.StatusCode, plainBody));
        Assert.Equal("application/json", streamed.Content.Headers.ContentType?.MediaType);
        Assert.False(streamed.Headers.Contains("Retry-After"));
        Assert.All(emulator.State.Requests, r => Assert.Equal((fault, status), (r.Fault, r.StatusCode)));
    }

    [Theory]
    [InlineData("fault=429", "1")]
    [InlineData("fault=429;retry_after=7", "7")]
    public async Task Rate_limit_fault_is_429_with_retry_after(string scenario, string retryAfter)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, body) = await emulator.ChatAsync("""{"stream":true}""", scenario);

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal([retryAfter], response.Headers.GetValues("Retry-After"));
        Assert.Equal("""{"error":{"message":"Requests rate limit exceeded, please try again later.","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}""", body);
    }

    [Fact]
    public async Task Reset_before_aborts_the_connection_without_a_status()
    {
        await using var emulator = await TestEmulator.StartAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => emulator.ChatAsync("""{"stream":true}""", "fault=reset_before"));
        var record = await emulator.State.Requests.Single().Completion.WaitAsync(emulator.Ct);

        Assert.Equal((0, 0), (record.StatusCode, record.EventsSent));
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(3, "")]
    [InlineData(9, "")]
    [InlineData(2, ";delay_ms=5")]
    public async Task Reset_mid_aborts_after_exactly_k_events(int k, string more)
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var request = TestEmulator.ChatRequest("""{"stream":true}""", $"chunks=8;fault=reset_mid:{k}{more}");
        using var response = await emulator.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, emulator.Ct);
        Assert.Equal(200, (int)response.StatusCode);

        var (received, error) = await ReadUntilEndAsync(response, emulator.Ct);

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(k, received.Length == 0 ? 0 : Sse.Payloads(received).Count);
        var record = await emulator.State.Requests.Single().Completion.WaitAsync(emulator.Ct);
        Assert.Equal((k, false), (record.EventsSent, record.Cancelled));
    }

    [Fact]
    public async Task Stall_mid_goes_silent_after_k_events_then_finishes()
    {
        await using var emulator = await TestEmulator.StartAsync();
        var sentAt = System.Diagnostics.Stopwatch.GetTimestamp();
        using var request = TestEmulator.ChatRequest("""{"stream":true}""", "chunks=4;fault=stall_mid:2:500");
        using var response = await emulator.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, emulator.Ct);
        await using var stream = await response.Content.ReadAsStreamAsync(emulator.Ct);
        using var reader = new StreamReader(stream);

        var before = new StringBuilder();
        while (Sse.CountEvents(before.ToString()) < 2)
        {
            before.Append(await reader.ReadLineAsync(emulator.Ct)).Append('\n');
        }

        var third = await reader.ReadLineAsync(emulator.Ct);
        var thirdAfter = System.Diagnostics.Stopwatch.GetElapsedTime(sentAt);
        var rest = third + "\n" + await reader.ReadToEndAsync(emulator.Ct);

        // The stall starts after event 2 is sent, which is after the request was sent. The emulator's
        // delay runs on the OS timer, which can end a 500 ms wait a fraction of a millisecond early by
        // this stopwatch (seen: 499.2 ms), so the bound leaves one timer tick; no stall would be ~0 ms.
        Assert.True(thirdAfter >= TimeSpan.FromMilliseconds(500 - 16), $"event 3 came {thirdAfter} after the request");
        var view = new StreamView(before + rest);
        Assert.Equal(EmulatorText.For(42, 4, 6), view.Content);
        Assert.True(view.EndsWithDone);
        Assert.Equal(5, (await emulator.State.Requests.Single().Completion).EventsSent);
    }

    [Fact]
    public async Task No_done_ends_the_stream_cleanly_without_done()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var body = await emulator.StreamAsync("chunks=3;fault=no_done");

        var payloads = Sse.Payloads(body);
        Assert.Equal(3, payloads.Count);
        Assert.DoesNotContain("[DONE]", body);
        Assert.Equal(EmulatorText.For(42, 3, 6), new StreamView(body).Content);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Malformed_k_makes_event_k_invalid_json_by_dropping_its_last_byte(int k)
    {
        await using var emulator = await TestEmulator.StartAsync();

        var clean = Sse.Payloads(await emulator.StreamAsync("chunks=3"));
        var broken = Sse.Payloads(await emulator.StreamAsync($"chunks=3;fault=malformed:{k}"));

        Assert.Equal(clean.Count, broken.Count);
        for (var i = 0; i < clean.Count; i++)
        {
            var expected = i == k - 1 ? clean[i][..^1] : clean[i];
            Assert.Equal(expected.Replace("emu-1", "emu-2", StringComparison.Ordinal), broken[i]);
        }

        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(broken[k - 1]));
    }

    [Fact]
    public async Task Malformed_done_event_loses_its_bracket()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var payloads = Sse.Payloads(await emulator.StreamAsync("chunks=1;fault=malformed:2"));

        Assert.Equal("[DONE", payloads[^1]);
    }

    [Fact]
    public async Task Non_streaming_faults_break_the_json_body()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (clean, cleanBody) = await emulator.ChatAsync("{}", "chunks=2");
        var (malformed, malformedBody) = await emulator.ChatAsync("{}", "chunks=2;fault=malformed:1");
        var reset = await Assert.ThrowsAnyAsync<HttpRequestException>(() => emulator.ChatAsync("{}", "chunks=2;fault=reset_mid:1"));

        Assert.Equal((200, 200), ((int)clean.StatusCode, (int)malformed.StatusCode));
        Assert.Equal(cleanBody[..^1].Replace("emu-1", "emu-2", StringComparison.Ordinal), malformedBody);
        Assert.NotNull(reset);
    }

    [Fact]
    public async Task Fault_rate_hits_the_same_requests_on_every_run_with_the_same_seed()
    {
        async Task<string> RunAsync(int seed)
        {
            await using var emulator = await TestEmulator.StartAsync(o => o.Seed = seed);
            var pattern = new StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                var (response, _) = await emulator.ChatAsync("{}", "fault=503;fault_rate=0.3");
                pattern.Append((int)response.StatusCode == 503 ? 'x' : '.');
            }

            return pattern.ToString();
        }

        var first = await RunAsync(11);
        var again = await RunAsync(11);
        var other = await RunAsync(12);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.InRange(first.Count(c => c == 'x'), 4, 20);
    }

    [Fact]
    public async Task Run_wide_fault_rate_and_kind_apply_to_chat_requests()
    {
        await using var emulator = await TestEmulator.StartAsync(o =>
        {
            o.FaultRate = 0.5;
            o.FaultKind = "429_quota";
        });

        var statuses = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            statuses.Add((int)(await emulator.ChatAsync("{}")).Response.StatusCode);
        }

        Assert.Equal([200, 429], statuses.Distinct().Order());
        var (overridden, _) = await emulator.ChatAsync("{}", "fault=none");
        Assert.Equal(200, (int)overridden.StatusCode);
    }

    [Fact]
    public async Task Run_wide_fault_kind_alone_applies_to_every_request()
    {
        await using var emulator = await TestEmulator.StartAsync(o => o.FaultKind = "502");

        var (first, _) = await emulator.ChatAsync("{}");
        var (second, _) = await emulator.ChatAsync("{}");

        Assert.Equal((502, 502), ((int)first.StatusCode, (int)second.StatusCode));
    }

    [Fact]
    public async Task Auth_is_checked_before_faults()
    {
        await using var emulator = await TestEmulator.StartAsync();

        var (response, _) = await emulator.ChatAsync("{}", "fault=503", bearer: "wrong");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Null(emulator.State.Requests.Single().Fault);
    }

    private static async Task<(string Received, Exception? Error)> ReadUntilEndAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            return (Encoding.UTF8.GetString(received.ToArray()), null);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (Encoding.UTF8.GetString(received.ToArray()), e);
        }
    }
}
