using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Proxy.Web.Tests.Auth;

/// <summary>Keeps every formatted log line (with its exception text) so tests can search them for secrets.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentDictionary<TaskCompletionSource, string> _waiters = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Completes when a line containing <paramref name="text"/> is logged (or already was).</summary>
    public Task WaitForLineAsync(string text)
    {
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters[found] = text;
        if (Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            found.TrySetResult();
        }

        return found.Task;
    }

    public string AllText => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public ILogger<T> CreateLogger<T>() => new Logger<T>(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : string.Empty;
            var line = $"{logLevel} {category} [{eventId.Id}] {formatter(state, exception)} | {values} {exception}";
            owner.Lines.Enqueue(line);
            foreach (var (waiter, text) in owner._waiters)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    waiter.TrySetResult();
                }
            }
        }
    }
}
