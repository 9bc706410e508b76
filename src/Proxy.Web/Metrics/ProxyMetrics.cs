using System.Diagnostics.Metrics;
using Proxy.Actors.Resilience;
using Proxy.Web.Health;

namespace Proxy.Web.Metrics;

/// <summary>
/// Owns the <c>Qwen.Proxy</c> meter and its instruments. Product code records through the methods
/// here; <see cref="PrometheusExporter"/> renders them on <c>GET /metrics</c>. Running totals are
/// also kept for <c>/health/detailed</c>.
/// </summary>
internal sealed class ProxyMetrics : IDisposable
{
    public const string MeterName = "Qwen.Proxy";

    private static readonly double[] DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900];

    private static readonly double[] FirstTokenBuckets =
        [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 30, 60];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly UpDownCounter<long> _activeStreams;
    private readonly Counter<long> _stutterRepairs;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _upstreamFailures;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _rateLimited;
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
        _activeStreams = Meter.CreateUpDownCounter<long>("qwen_proxy.streams.active", "{stream}", "Streams open to clients right now.");
        _stutterRepairs = Meter.CreateCounter<long>("qwen_proxy.stutter_repairs", "{repair}", "Streams whose cumulative (stuttering) content was repaired.");
        _retries = Meter.CreateCounter<long>("qwen_proxy.upstream.retries", "{retry}", "Upstream attempts retried, by failure kind.");
        _upstreamFailures = Meter.CreateCounter<long>("qwen_proxy.upstream.failures", "{failure}", "Upstream failures, by failure kind.");
        _refreshes = Meter.CreateCounter<long>("qwen_proxy.token.refreshes", "{refresh}", "Access token refreshes, by outcome.");
        _rateLimited = Meter.CreateCounter<long>("qwen_proxy.rate_limited", "{request}", "Requests refused by the client rate limiter.");
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
        _activeStreams.Add(1);
    }

    public void StreamClosed()
    {
        Interlocked.Decrement(ref _activeStreamCount);
        _activeStreams.Add(-1);
    }

    public void RecordStutterRepair()
    {
        Interlocked.Increment(ref _stutterRepairsTotal);
        _stutterRepairs.Add(1);
    }

    public void RecordRetry(FailureKind reason)
    {
        Interlocked.Increment(ref _retriesTotal);
        _retries.Add(1, new KeyValuePair<string, object?>("kind", KindText(reason)));
    }

    public void RecordUpstreamFailure(FailureKind kind) =>
        _upstreamFailures.Add(1, new KeyValuePair<string, object?>("kind", KindText(kind)));

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

    private static string KindText(FailureKind kind) => kind.ToMetricLabel();

    private static IEnumerable<Measurement<int>> ObserveCircuits(ICircuitStatusProvider circuits)
    {
        foreach (var circuit in circuits.GetCircuits())
        {
            yield return new Measurement<int>((int)circuit.State, new KeyValuePair<string, object?>("account", circuit.Account));
        }
    }
}
