using System.Diagnostics;
using System.Diagnostics.Metrics;
using Proxy.Actors.Resilience;
using Proxy.Web.Health;
using Proxy.Web.Telemetry;

namespace Proxy.Web.Metrics;

/// <summary>
/// Owns the <c>Qwen.Proxy</c> meter and its instruments: the proxy's own, and the GenAI client
/// metrics of the OpenTelemetry semantic conventions (<c>gen_ai.client.*</c>). Product code records
/// through the methods here; OpenTelemetry exports them (Prometheus on <c>GET /metrics</c>, OTLP when
/// configured). Running totals are also kept for <c>/health/detailed</c>.
/// </summary>
internal sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "Qwen.Proxy";

    private static readonly double[] DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900];

    private static readonly double[] FirstTokenBuckets =
        [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60];

    // The boundaries the GenAI semantic conventions advise for each of their client metrics.
    private static readonly long[] TokenBuckets =
        [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private static readonly double[] OperationBuckets =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private static readonly double[] FirstChunkBuckets =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Counter<long> _stutterRepairs;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _upstreamFailures;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _rateLimited;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Counter<long> _accountAttempts;
    private long _requestsTotal;
    private long _clientErrorsTotal;
    private long _serverErrorsTotal;
    private long _streamsTotal;
    private long _activeStreamCount;
    private long _stutterRepairsTotal;
    private long _retriesTotal;
    private long _refreshesTotal;
    private long _rateLimitedTotal;

    public ProxyMetrics(IMeterFactory? meterFactory = null, ICircuitStatusProvider? circuits = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _requests = Meter.CreateCounter<long>("qwen_proxy.requests", "{request}", "HTTP requests served, by route, method and status.");
        _requestDuration = Meter.CreateHistogram<double>("qwen_proxy.request.duration", "s", "Time from request arrival to the end of the response.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstToken = Meter.CreateHistogram<double>("qwen_proxy.time_to_first_token", "s", "Time from request arrival to the first token written to the client.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FirstTokenBuckets });
        Meter.CreateObservableUpDownCounter("qwen_proxy.streams.active", () => ActiveStreams, "{stream}", "Streams open to clients right now.");
        _stutterRepairs = Meter.CreateCounter<long>("qwen_proxy.stutter_repairs", "{repair}", "Streams whose cumulative (stuttering) content was repaired.");
        _retries = Meter.CreateCounter<long>("qwen_proxy.upstream.retries", "{retry}", "Upstream attempts retried, by failure kind.");
        _upstreamFailures = Meter.CreateCounter<long>("qwen_proxy.upstream.failures", "{failure}", "Upstream failures, by failure kind.");
        _refreshes = Meter.CreateCounter<long>("qwen_proxy.token.refreshes", "{refresh}", "Access token refreshes, by outcome.");
        _rateLimited = Meter.CreateCounter<long>("qwen_proxy.rate_limited", "{request}", "Requests refused by the client rate limiter.");
        _tokenUsage = Meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Number of input and output tokens used.",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _operationDuration = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "GenAI operation duration.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OperationBuckets });
        _timeToFirstChunk = Meter.CreateHistogram<double>("gen_ai.client.operation.time_to_first_chunk", "s",
            "Time to receive the first chunk of a streamed answer, from the request.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FirstChunkBuckets });
        _accountAttempts = Meter.CreateCounter<long>("qwen_proxy.account.attempts", "{attempt}", "Upstream attempts per account, by outcome (success or failure kind).");
        if (circuits is not null)
        {
            Meter.CreateObservableGauge("qwen_proxy.circuit_breaker.state", () => ObserveCircuits(circuits), "{state}",
                "Circuit breaker state per account: 0 closed, 1 half-open, 2 open.");
        }
    }

    public Meter Meter { get; }

    public long RequestsTotal => Interlocked.Read(ref _requestsTotal);

    public long ClientErrorsTotal => Interlocked.Read(ref _clientErrorsTotal);

    public long ServerErrorsTotal => Interlocked.Read(ref _serverErrorsTotal);

    public long StreamsTotal => Interlocked.Read(ref _streamsTotal);

    public long ActiveStreams => Interlocked.Read(ref _activeStreamCount);

    public long StutterRepairsTotal => Interlocked.Read(ref _stutterRepairsTotal);

    public long RetriesTotal => Interlocked.Read(ref _retriesTotal);

    public long RefreshesTotal => Interlocked.Read(ref _refreshesTotal);

    public long RateLimitedTotal => Interlocked.Read(ref _rateLimitedTotal);

    /// <summary>One request served (called once per request by the request log).</summary>
    public void RecordRequest(string route, string method, int statusCode, TimeSpan duration)
    {
        Interlocked.Increment(ref _requestsTotal);
        if (statusCode >= 500)
        {
            Interlocked.Increment(ref _serverErrorsTotal);
        }
        else if (statusCode >= 400)
        {
            Interlocked.Increment(ref _clientErrorsTotal);
        }

        var status = new KeyValuePair<string, object?>("status", StatusText(statusCode));
        var routeTag = new KeyValuePair<string, object?>("route", route);
        _requests.Add(1, routeTag, new("method", method), status);
        _requestDuration.Record(duration.TotalSeconds, routeTag, status);
    }

    /// <summary>Time to first token of a request (called by the request log when it was marked).</summary>
    public void RecordTimeToFirstToken(string route, TimeSpan elapsed) =>
        _timeToFirstToken.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("route", route));

    public void StreamOpened()
    {
        Interlocked.Increment(ref _streamsTotal);
        Interlocked.Increment(ref _activeStreamCount);
    }

    public void StreamClosed()
    {
        Interlocked.Decrement(ref _activeStreamCount);
    }

    public void RecordStutterRepair()
    {
        Interlocked.Increment(ref _stutterRepairsTotal);
        _stutterRepairs.Add(1);
    }

    public void RecordRetry(FailureKind reason)
    {
        Interlocked.Increment(ref _retriesTotal);
        _retries.Add(1, new KeyValuePair<string, object?>("kind", FailureLabel(reason)));
    }

    /// <summary>One request's attempt at one upstream account ended with <paramref name="outcome"/>.</summary>
    public void RecordAccountAttempt(string account, FailureKind outcome) =>
        _accountAttempts.Add(
            1,
            new KeyValuePair<string, object?>("account", account),
            new KeyValuePair<string, object?>("outcome", outcome == FailureKind.None ? "success" : FailureLabel(outcome)));

    /// <summary>
    /// Per-account gauges read from the pool's published state: requests in flight, and the state
    /// (0 available, 1 cooling down, 2 circuit open, 3 at capacity, 4 auth required, 5 dead).
    /// </summary>
    public void ObserveAccounts(Func<IEnumerable<Measurement<long>>> inFlight, Func<IEnumerable<Measurement<long>>> state)
    {
        Meter.CreateObservableGauge("qwen_proxy.account.in_flight", inFlight, "{request}", "Requests in flight per upstream account.");
        Meter.CreateObservableGauge("qwen_proxy.account.state", state, "{state}",
            "Upstream account state: 0 available, 1 cooling down, 2 circuit open, 3 at capacity, 4 auth required, 5 dead.");
    }

    public void RecordUpstreamFailure(FailureKind kind) =>
        _upstreamFailures.Add(1, new KeyValuePair<string, object?>("kind", FailureLabel(kind)));

    /// <summary>A token refresh finished; <paramref name="outcome"/> is e.g. <c>success</c>, <c>failure</c>, <c>skipped</c>.</summary>
    public void RecordRefresh(string outcome)
    {
        Interlocked.Increment(ref _refreshesTotal);
        _refreshes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void RecordRateLimited()
    {
        Interlocked.Increment(ref _rateLimitedTotal);
        _rateLimited.Add(1);
    }

    /// <summary>A GenAI operation (one completion request) ended: duration, tokens and time to first chunk.</summary>
    public void RecordGenAiOperation(in GenAiOperation operation)
    {
        var tags = new TagList
        {
            { GenAiAttributes.OperationName, operation.Operation },
            { GenAiAttributes.ProviderName, operation.Provider },
            { GenAiAttributes.RequestModel, operation.RequestModel },
        };
        if (operation.ResponseModel is not null)
        {
            tags.Add(GenAiAttributes.ResponseModel, operation.ResponseModel);
        }

        if (operation.TimeToFirstChunk is { } firstChunk && operation.ErrorType is null)
        {
            _timeToFirstChunk.Record(firstChunk.TotalSeconds, tags);
        }

        if (operation.InputTokens is { } input)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiAttributes.TokenType, GenAiAttributes.InputTokenType);
            _tokenUsage.Record(input, tokenTags);
        }

        if (operation.OutputTokens is { } output)
        {
            var tokenTags = tags;
            tokenTags.Add(GenAiAttributes.TokenType, GenAiAttributes.OutputTokenType);
            _tokenUsage.Record(output, tokenTags);
        }

        if (operation.ErrorType is not null)
        {
            tags.Add(GenAiAttributes.ErrorType, operation.ErrorType);
        }

        _operationDuration.Record(operation.Duration.TotalSeconds, tags);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private static string StatusText(int statusCode) => statusCode switch
    {
        200 => "200",
        400 => "400",
        401 => "401",
        404 => "404",
        429 => "429",
        499 => "499",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        _ => statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A failure kind as metric labels and <c>error.type</c> show it: the one mapping beside <see cref="FailureKind"/>.</summary>
    internal static string FailureLabel(FailureKind kind) => kind.ToMetricLabel();

    private static IEnumerable<Measurement<int>> ObserveCircuits(ICircuitStatusProvider circuits)
    {
        foreach (var circuit in circuits.GetCircuits())
        {
            yield return new Measurement<int>((int)circuit.State, new KeyValuePair<string, object?>("account", circuit.Account));
        }
    }
}
