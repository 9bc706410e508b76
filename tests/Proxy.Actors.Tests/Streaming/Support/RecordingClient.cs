using System.IO.Pipelines;
using System.Text;
using Proxy.Actors.Streaming;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>
/// The client side of a stream over a pipe. It reads what the actor flushes, unless created
/// paused: then a tiny pipe makes every flush wait until the test lets the client read.
/// </summary>
internal sealed class RecordingClient : IClientStream
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Pipe _pipe;
    private readonly System.Buffers.ArrayBufferWriter<byte> _received = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readLoop;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipeWriter? _writer;
    private int _starts;
    private int _flushes;

    public RecordingClient(bool paused = false)
    {
        _pipe = new Pipe(paused
            ? new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false)
            : new PipeOptions(useSynchronizationContext: false));
        _readLoop = ReadLoopAsync();
        if (!paused)
        {
            _reading.TrySetResult();
        }
    }

    public bool HasStarted => Volatile.Read(ref _starts) > 0;

    public int Starts => Volatile.Read(ref _starts);

    public PipeWriter Writer => _writer ??= new SignallingWriter(_pipe.Writer, this);

    /// <summary>Flushes the stream asked for so far.</summary>
    public int Flushes => Volatile.Read(ref _flushes);

    /// <summary>Completes once the stream has asked for at least <paramref name="count"/> flushes.</summary>
    public async Task WhenFlushedAsync(int count)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (Flushes < count)
        {
            Task flushed;
            lock (_gate)
            {
                flushed = _flushed.Task;
            }

            if (Flushes >= count)
            {
                return;
            }

            await flushed.WaitAsync(patience.Token);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_received.WrittenSpan);
            }
        }
    }

    public void Start() => Interlocked.Increment(ref _starts);

    /// <summary>
    /// Everything the stream wrote, once it is over: closes the response (as the host does after the
    /// actor reported) and waits until the client has read it all.
    /// </summary>
    public async Task<string> AllTextAsync()
    {
        await _pipe.Writer.CompleteAsync();
        await _readLoop.WaitAsync(Patience);
        return Text;
    }

    /// <summary>Lets a paused client read from now on.</summary>
    public void Resume() => _reading.TrySetResult();

    /// <summary>Waits (in real time, at most 10 s) until what arrived satisfies <paramref name="predicate"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> predicate)
    {
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var text = Text;
            if (predicate(text))
            {
                return text;
            }

            try
            {
                await changed.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"The client never got what was expected; it has:\n{text}");
            }
        }
    }

    private void OnFlush()
    {
        Interlocked.Increment(ref _flushes);
        lock (_gate)
        {
            _flushed.TrySetResult();
            _flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task ReadLoopAsync()
    {
        await _reading.Task.ConfigureAwait(false);
        while (true)
        {
            var result = await _pipe.Reader.ReadAsync().ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var segment in result.Buffer)
                {
                    System.Buffers.BuffersExtensions.Write(_received, segment.Span);
                }

                _changed.TrySetResult();
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>The pipe's writer, telling the client each time a flush is asked for.</summary>
    private sealed class SignallingWriter(PipeWriter inner, RecordingClient owner) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var flush = inner.FlushAsync(cancellationToken);
            owner.OnFlush();
            return flush;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
