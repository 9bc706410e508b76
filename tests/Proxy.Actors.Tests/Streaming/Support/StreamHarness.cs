using Akka.Actor;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Actors.Tests.Support;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>
/// One stream actor under its account's breaker, on virtual time (one clock: <see cref="Time"/>
/// advances the time the actor reads and the scheduler that fires its timers), with a scripted
/// upstream and a recording client.
/// </summary>
internal sealed class StreamHarness : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ILoggerFactory _loggers;

    public StreamHarness(bool pausedClient = false)
    {
        _loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        System = ActorSystem.Create("streams", AkkaClock.Hocon);
        Time = new AkkaClock(System);
        Client = new RecordingClient(pausedClient);
        Breaker = new CircuitBreaker("acct", Time.Time, new BreakerOptions());
        var streamLog = _loggers.CreateLogger<StreamActor>();
        Breaker.Start(System, job => StreamActor.Props(job, Time.Time, streamLog), NullLogger.Instance);
    }

    public AkkaClock Time { get; }

    public RecordingLoggerProvider Logs { get; } = new();

    public ActorSystem System { get; }

    public CircuitBreaker Breaker { get; }

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

    /// <summary>How many times the stream reported its outcome (each report is logged once).</summary>
    public int Completions => Logs.Lines.Count(l => l.StartsWith("Debug: Stream req-1 ended: ", StringComparison.Ordinal));

    /// <summary>The transitions logged so far, as "From -> To (reason)".</summary>
    public IReadOnlyList<string> Transitions =>
        Logs.Lines.Where(l => l.StartsWith("Debug: Stream req-1: ", StringComparison.Ordinal) && l.Contains(" -> ", StringComparison.Ordinal))
            .Select(l => l["Debug: Stream req-1: ".Length..])
            .ToList();

    public static string Frame(string payload) => "data: " + payload + "\n\n";

    public Task<StreamOutcome> Start(ResiliencePipeline? retry = null, IStreamTranslator? translator = null)
    {
        var job = new StreamJob("req-1", Upstream.Call, Client, Options, Abort.Token, retry, translator) { Draining = Drain.Token };
        return Breaker.RunStream(job, Breaker.Snapshot.Epoch).WaitAsync(Patience);
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate();
        Abort.Dispose();
        Drain.Dispose();
        _loggers.Dispose();
    }
}
