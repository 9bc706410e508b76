using Microsoft.Extensions.Logging;
using Polly;
using Proxy.Actors.Runtime;
using Proxy.Actors.Streaming;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>One stream actor under virtual time, with a scripted upstream and a recording client.</summary>
internal sealed class StreamHarness : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ILoggerFactory _loggers;
    private int _completions;

    public StreamHarness(bool pausedClient = false)
    {
        _loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        System = new ActorSystem("streams", Time, _loggers);
        Client = new RecordingClient(pausedClient);
    }

    public ManualTimeProvider Time { get; } = new();

    public RecordingLoggerProvider Logs { get; } = new();

    public ActorSystem System { get; }

    public CancellationTokenSource Abort { get; } = new();

    public CancellationTokenSource Drain { get; } = new();

    public ScriptedUpstream Upstream { get; } = new();

    public RecordingClient Client { get; }

    public StreamOptions Options { get; set; } = new()
    {
        ReadTimeout = TimeSpan.FromSeconds(45),
        FirstByteTimeout = TimeSpan.FromSeconds(30),
        KeepAliveInterval = TimeSpan.FromSeconds(15),
        CheckInterval = TimeSpan.FromSeconds(1),
        MailboxCapacity = 8,
    };

    /// <summary>How many times the stream reported its outcome.</summary>
    public int Completions => Volatile.Read(ref _completions);

    /// <summary>The transitions logged so far, as "From -> To (reason)".</summary>
    public IReadOnlyList<string> Transitions =>
        Logs.Lines.Where(l => l.StartsWith("Debug: Stream req-1: ", StringComparison.Ordinal) && l.Contains(" -> ", StringComparison.Ordinal))
            .Select(l => l["Debug: Stream req-1: ".Length..])
            .ToList();

    public static string Frame(string payload) => "data: " + payload + "\n\n";

    public Task<StreamOutcome> Start(ResiliencePipeline? retry = null, IStreamTranslator? translator = null)
    {
        var job = new StreamJob("req-1", Upstream.Call, Client, Options, Abort.Token, retry, translator) { Draining = Drain.Token };
        var done = new TaskCompletionSource<StreamOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        System.Spawn(
            StreamActor.Create(job, outcome =>
            {
                Interlocked.Increment(ref _completions);
                done.TrySetResult(outcome);
            }),
            StreamActor.NameFor(job),
            StreamActor.Mailbox(job));
        return done.Task.WaitAsync(Patience);
    }

    public async ValueTask DisposeAsync()
    {
        await System.StopAsync();
        Abort.Dispose();
        Drain.Dispose();
        _loggers.Dispose();
    }
}
