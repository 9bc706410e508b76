using System.Text;

namespace Qwen.Emulator;

/// <summary>
/// One chat request as the emulator saw it. Timestamps are real wall-clock time (chunk delays are
/// real too), so a test can compare <see cref="CancelledAt"/> with the moment its client went away.
/// </summary>
public sealed class RequestRecord
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<RequestRecord> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _end;
    private DateTimeOffset? _cancelledAt;
    private int _statusCode;
    private int _eventsSent;
    private string? _fault;
    private bool _serverAborted;

    internal RequestRecord(long id, string path, string? scenario, DateTimeOffset start, byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        Id = id;
        Path = path;
        Scenario = scenario;
        Start = start;
        Body = body;
        Headers = headers;
    }

    /// <summary>1-based number of the chat request since start or the last reset.</summary>
    public long Id { get; }

    public string Path { get; }

    /// <summary>The <c>X-Emulator-Scenario</c> header as sent, or null.</summary>
    public string? Scenario { get; }

    public DateTimeOffset Start { get; }

    /// <summary>The exact request body bytes.</summary>
    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The HTTP version the request came in ("HTTP/1.1", "HTTP/2").</summary>
    public string Protocol { get; init; } = "HTTP/1.1";

    /// <summary>Request headers, names case-insensitive, repeated values joined with ",".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>When the handler finished (normally, by a fault or by the client going away).</summary>
    public DateTimeOffset? End { get { lock (_gate) { return _end; } } }

    /// <summary>True when the client aborted before the response was complete.</summary>
    public bool Cancelled { get { lock (_gate) { return _cancelledAt is not null; } } }

    /// <summary>When the client's abort was seen (the request-aborted signal fired).</summary>
    public DateTimeOffset? CancelledAt { get { lock (_gate) { return _cancelledAt; } } }

    /// <summary>Status code sent, 0 when the connection was reset before headers.</summary>
    public int StatusCode { get { lock (_gate) { return _statusCode; } } }

    /// <summary>SSE events written (content, usage and <c>[DONE]</c> each count one); final once <see cref="Completion"/> is done.</summary>
    public int EventsSent { get { lock (_gate) { return _eventsSent; } } }

    /// <summary>The fault applied to this request (e.g. <c>503</c>, <c>reset_mid:3</c>), or null.</summary>
    public string? Fault { get { lock (_gate) { return _fault; } } }

    /// <summary>Completes when the handler has finished with this request.</summary>
    public Task<RequestRecord> Completion => _completion.Task;

    internal void SetStatus(int statusCode)
    {
        lock (_gate)
        {
            _statusCode = statusCode;
        }
    }

    internal void SetFault(string fault)
    {
        lock (_gate)
        {
            _fault = fault;
        }
    }

    internal void SetEventsSent(int count)
    {
        lock (_gate)
        {
            _eventsSent = count;
        }
    }

    /// <summary>The emulator itself is about to abort the connection (a reset fault), not the client.</summary>
    internal void ServerAborting()
    {
        lock (_gate)
        {
            _serverAborted = true;
        }
    }

    internal void ClientAborted(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_serverAborted || _end is not null || _cancelledAt is not null)
            {
                return;
            }

            _cancelledAt = at;
        }
    }

    internal void Finish(DateTimeOffset at)
    {
        lock (_gate)
        {
            _end ??= at;
        }

        _completion.TrySetResult(this);
    }

    public override string ToString() =>
        $"#{Id} {Path} status={StatusCode} events={EventsSent} fault={Fault ?? "none"} cancelled={Cancelled}";
}
