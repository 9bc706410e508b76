using System.Text;
using System.Threading.Channels;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>
/// A scripted upstream response body: each chunk the test sends is served by one read, reads wait
/// for the next chunk, and the test can see reads pending, cancelled and the body disposed.
/// </summary>
internal sealed class UpstreamBody : Stream
{
    private static readonly object EndOfBody = new();
    private readonly Channel<object> _chunks = Channel.CreateUnbounded<object>();
    private readonly object _gate = new();
    private TaskCompletionSource _pending = NewSignal();
    private bool _isPending;
    private byte[]? _current;
    private int _offset;
    private int _reads;

    public TaskCompletionSource ReadCanceled { get; } = NewSignal();

    public TaskCompletionSource Disposed { get; } = NewSignal();

    /// <summary>Reads that returned data.</summary>
    public int Reads => Volatile.Read(ref _reads);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public UpstreamBody Event(string payload) => Raw("data: " + payload + "\n\n");

    public UpstreamBody Done() => Raw("data: [DONE]\n\n");

    public UpstreamBody Raw(string text)
    {
        _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(text));
        return this;
    }

    /// <summary>The body ends (EOF) after what was sent.</summary>
    public void End() => _chunks.Writer.TryWrite(EndOfBody);

    /// <summary>The next read, once what was sent is consumed, fails like a reset connection.</summary>
    public void Fail(Exception error) => _chunks.Writer.TryWrite(error);

    /// <summary>Completes when a read is waiting for data (now or the next time one does).</summary>
    public Task WhenReadPendingAsync()
    {
        lock (_gate)
        {
            return _isPending ? Task.CompletedTask : _pending.Task;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_current is null)
        {
            if (!_chunks.Reader.TryRead(out var item))
            {
                SetPending(true);
                try
                {
                    item = await _chunks.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    ReadCanceled.TrySetResult();
                    throw;
                }
                catch (ChannelClosedException)
                {
                    return 0;
                }
                finally
                {
                    SetPending(false);
                }
            }

            switch (item)
            {
                case Exception error:
                    throw error;
                case byte[] bytes:
                    _current = bytes;
                    _offset = 0;
                    break;
                default:
                    _chunks.Writer.TryWrite(EndOfBody); // stays at the end
                    return 0;
            }
        }

        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        if (_offset == _current.Length)
        {
            _current = null;
        }

        Interlocked.Increment(ref _reads);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed.TrySetResult();
        _chunks.Writer.TryComplete();
        base.Dispose(disposing);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void SetPending(bool pending)
    {
        lock (_gate)
        {
            _isPending = pending;
            if (pending)
            {
                _pending.TrySetResult();
            }
            else if (_pending.Task.IsCompleted)
            {
                _pending = NewSignal();
            }
        }
    }
}
