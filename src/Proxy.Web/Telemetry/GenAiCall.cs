using System.Diagnostics;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;
using Proxy.Web.Metrics;

namespace Proxy.Web.Telemetry;

/// <summary>
/// One completion request as a GenAI client operation: its span (when tracing is on, named
/// <c>{operation} {model}</c>, kind client, parent of the upstream HTTP span) and its
/// <c>gen_ai.client.*</c> metrics (always). The endpoint starts it and ends it; the handler in
/// between reports what the answer said (<see cref="Streamed"/> or <see cref="Completed"/>).
/// </summary>
internal sealed class GenAiCall
{
    private readonly ProxyMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly string _operation;
    private readonly string _provider;
    private readonly string _requestModel;
    private CompletionSummary? _summary;
    private TimeSpan? _timeToFirstChunk;
    private string? _errorType;

    private GenAiCall(ProxyMetrics metrics, TimeProvider time, string operation, string provider, string requestModel, bool streaming)
    {
        _metrics = metrics;
        _time = time;
        _start = time.GetTimestamp();
        _operation = operation;
        _provider = provider;
        _requestModel = requestModel;
        Activity = ProxyActivitySource.Instance.StartActivity(operation + " " + requestModel, ActivityKind.Client);
        if (Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(GenAiAttributes.OperationName, operation);
            activity.SetTag(GenAiAttributes.ProviderName, provider);
            activity.SetTag(GenAiAttributes.RequestModel, requestModel);
            activity.SetTag(GenAiAttributes.Streaming, streaming);
        }
    }

    /// <summary>The span, or null when nothing listens (tracing off).</summary>
    public Activity? Activity { get; }

    /// <summary>Starts the operation; its span becomes <see cref="Activity.Current"/>.</summary>
    public static GenAiCall Start(ProxyMetrics metrics, TimeProvider time, string operation, string provider, string requestModel, bool streaming) =>
        new(metrics, time, operation, provider, requestModel, streaming);

    /// <summary>How a stream ended: its summary, first token, repairs and the account that served it.</summary>
    public void Streamed(StreamOutcome outcome, string account)
    {
        _summary = outcome.Summary;
        _timeToFirstChunk = outcome.TimeToFirstToken;
        if (outcome.Failure != FailureKind.None)
        {
            _errorType = ProxyMetrics.FailureLabel(outcome.Failure);
        }

        if (Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(GenAiAttributes.Account, account);
            activity.SetTag(GenAiAttributes.StutterRepairs, outcome.Repairs);
            if (outcome.TimeToFirstToken is { } ttft)
            {
                activity.SetTag(GenAiAttributes.TimeToFirstChunk, ttft.TotalSeconds);
                activity.AddEvent(new ActivityEvent(GenAiAttributes.FirstTokenEvent, activity.StartTimeUtc + ttft));
            }
        }
    }

    /// <summary>A whole (non-streamed) answer: its body is read once for model, finish reasons and usage.</summary>
    public void Completed(ReadOnlySpan<byte> body, string account)
    {
        var summary = new CompletionSummary();
        if (summary.Read(body))
        {
            _summary = summary;
        }

        Activity?.SetTag(GenAiAttributes.Account, account);
    }

    /// <summary>The operation failed as <paramref name="kind"/> (before or without an answer).</summary>
    public void Failed(FailureKind kind, string account)
    {
        _errorType = ProxyMetrics.FailureLabel(kind);
        Activity?.SetTag(GenAiAttributes.Account, account);
    }

    /// <summary>Records the metrics and ends the span; <paramref name="statusCode"/> is the response's.</summary>
    public void End(int statusCode)
    {
        if (_errorType is null && statusCode >= 400)
        {
            _errorType = statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var responseModel = _summary?.ResponseModel;
        _metrics.RecordGenAiOperation(new GenAiOperation(
            _operation, _provider, _requestModel, responseModel, _time.GetElapsedTime(_start), _errorType,
            _summary?.InputTokens, _summary?.OutputTokens, _timeToFirstChunk));

        if (Activity is not { } activity)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            if (responseModel is not null)
            {
                activity.SetTag(GenAiAttributes.ResponseModel, responseModel);
            }

            if (_summary is { } summary)
            {
                if (summary.InputTokens is { } input)
                {
                    activity.SetTag(GenAiAttributes.InputTokens, input);
                }

                if (summary.OutputTokens is { } output)
                {
                    activity.SetTag(GenAiAttributes.OutputTokens, output);
                }

                if (summary.FinishReasons.Count > 0)
                {
                    activity.SetTag(GenAiAttributes.FinishReasons, summary.FinishReasons.ToArray());
                }
            }

            if (_errorType is not null)
            {
                activity.SetTag(GenAiAttributes.ErrorType, _errorType);
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        activity.Dispose();
    }
}
