namespace Proxy.Web.Logging;

/// <summary>
/// What the request log line and metrics learn from the endpoint: set it from the code that
/// serves the request (<c>context.Features.Get&lt;IRequestLogFeature&gt;()</c>).
/// </summary>
internal interface IRequestLogFeature
{
    /// <summary>True when the response is an event stream.</summary>
    bool IsStreaming { get; set; }

    /// <summary>The model the request was sent to upstream with, when known.</summary>
    string? Model { get; set; }

    /// <summary>Time from the request's arrival to the first token written, once marked.</summary>
    TimeSpan? TimeToFirstToken { get; }

    /// <summary>Marks "first token written to the client now"; only the first call counts.</summary>
    void MarkFirstToken();
}
