using System.Text;

namespace Proxy.Web.Tests.TestSupport;

/// <summary>A thread-safe writer that keeps everything the logger wrote.</summary>
internal sealed class LogCapture : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }

        Signal();
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }

        Signal();
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            _text.Append(buffer, index, count);
        }

        Signal();
    }

    /// <summary>Waits until a complete line matching <paramref name="match"/> has been written.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var text = Text;
            var complete = text[..(text.LastIndexOf('\n') + 1)];
            var line = complete.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("No matching log line was written. Log:\n" + Text);
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
