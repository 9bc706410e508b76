using Qwen.Emulator.Tests.Support;

namespace Qwen.Emulator.Tests;

public sealed class CancellationTests
{
    /// <summary>Generous on purpose: the point is that the abort is seen, not the machine's speed.</summary>
    private static readonly TimeSpan Seen = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Client_abort_mid_stream_is_recorded_with_its_time()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(emulator.Ct);
        using var request = TestEmulator.ChatRequest("""{"stream":true}""", "chunks=5;delay_ms=20000");
        using var response = await emulator.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
        await using var stream = await response.Content.ReadAsStreamAsync(abort.Token);
        var buffer = new byte[4096];
        Assert.True(await stream.ReadAsync(buffer, abort.Token) > 0);
        var waiting = stream.ReadAsync(buffer, abort.Token).AsTask();

        var abortedAt = DateTimeOffset.UtcNow;
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var record = await (await emulator.State.WaitForRequestAsync(1, emulator.Ct)).Completion.WaitAsync(emulator.Ct);

        Assert.True(record.Cancelled);
        Assert.NotNull(record.CancelledAt);
        Assert.InRange(record.CancelledAt.Value, abortedAt, abortedAt + Seen);
        Assert.Equal(1, record.EventsSent);
        Assert.Equal(200, record.StatusCode);
        Assert.NotNull(record.End);
        Assert.Equal(0, emulator.State.ActiveChatRequests);
    }

    [Fact]
    public async Task Client_abort_before_the_first_byte_is_recorded()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(emulator.Ct);
        using var request = TestEmulator.ChatRequest("""{"stream":true}""", "first_byte_ms=30000");
        var sending = emulator.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
        var started = await emulator.State.WaitForRequestAsync(1, emulator.Ct);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        var record = await started.Completion.WaitAsync(emulator.Ct);

        Assert.True(record.Cancelled);
        Assert.Equal(0, record.EventsSent);
        Assert.Equal(0, record.StatusCode);
    }

    [Fact]
    public async Task Completed_request_is_not_cancelled()
    {
        await using var emulator = await TestEmulator.StartAsync();

        await emulator.StreamAsync("chunks=3");
        var record = await emulator.State.Requests.Single().Completion.WaitAsync(emulator.Ct);

        Assert.False(record.Cancelled);
        Assert.Null(record.CancelledAt);
        Assert.Equal(4, record.EventsSent);
        Assert.True(record.End >= record.Start);
    }

    [Fact]
    public async Task A_reset_fault_is_not_counted_as_a_client_cancel()
    {
        await using var emulator = await TestEmulator.StartAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => emulator.ChatAsync("""{"stream":true}""", "fault=reset_before"));
        var record = await emulator.State.Requests.Single().Completion.WaitAsync(emulator.Ct);

        Assert.False(record.Cancelled);
        Assert.Equal("reset_before", record.Fault);
    }
}
