using System.Net;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Streaming.Support;

/// <summary>An <see cref="UpstreamCall"/> that plays scripted attempts in order and records their tokens.</summary>
internal sealed class ScriptedUpstream
{
    private readonly Queue<Func<CancellationToken, Task<UpstreamResult>>> _attempts = new();
    private readonly List<CancellationToken> _tokens = [];

    public int Calls { get; private set; }

    public IReadOnlyList<CancellationToken> Tokens
    {
        get
        {
            lock (_tokens)
            {
                return [.. _tokens];
            }
        }
    }

    public UpstreamCall Call => ct =>
    {
        Func<CancellationToken, Task<UpstreamResult>> next;
        lock (_tokens)
        {
            Calls++;
            _tokens.Add(ct);
            next = _attempts.Dequeue();
        }

        return next(ct);
    };

    /// <summary>An attempt answered 200 with <paramref name="body"/> as its event stream.</summary>
    public ScriptedUpstream ThenStream(UpstreamBody body)
    {
        _attempts.Enqueue(_ => Task.FromResult(UpstreamResult.Success(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(body),
        })));
        return this;
    }

    public ScriptedUpstream ThenFail(FailureKind kind, int status, string message, string? code = null)
    {
        _attempts.Enqueue(_ => Task.FromResult(UpstreamResult.Fail(kind, status, message, code)));
        return this;
    }
}
