using System.Net;
using Proxy.Actors.Resilience;
using Proxy.TestKit;

namespace Proxy.Actors.Tests.Resilience;

/// <summary>An upstream call that answers a scripted sequence of outcomes and records when it was called.</summary>
internal sealed class ScriptedUpstream(SteppingTimeProvider clock, IEnumerable<FailureKind> script)
{
    private readonly Queue<FailureKind> _script = new(script);

    public List<DateTimeOffset> Attempts { get; } = [];

    public TimeSpan? RetryAfter { get; init; }

    public Action<int>? OnAttempt { get; set; }

    public Task<UpstreamResult> Call(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        clock.Mark();
        Attempts.Add(clock.GetUtcNow());
        OnAttempt?.Invoke(Attempts.Count);
        var kind = _script.Count > 0 ? _script.Dequeue() : FailureKind.None;
        return Task.FromResult(kind == FailureKind.None
            ? UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK))
            : UpstreamResult.Fail(kind, kind.ToStatusCode(), kind.ToString(), retryAfter: RetryAfter));
    }

    public TimeSpan[] Delays() => Attempts.Zip(Attempts.Skip(1), (a, b) => b - a).ToArray();
}
