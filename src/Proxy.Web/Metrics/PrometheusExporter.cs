using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Proxy.Web.Metrics;

/// <summary>
/// Listens to the instruments of one <see cref="ProxyMetrics"/> meter and renders them in the
/// Prometheus text exposition format (version 0.0.4): counters as <c>_total</c>, up-down counters
/// and gauges as gauges, histograms with cumulative <c>_bucket</c>, <c>_sum</c> and <c>_count</c>.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();
    private readonly Lock _scrapeGate = new();

    public PrometheusExporter(ProxyMetrics metrics)
    {
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                var family = _families.GetOrAdd(instrument, Family.For);
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.MeasurementsCompleted = (instrument, state) => _families.TryRemove(instrument, out var removed);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>The whole exposition, families sorted by name.</summary>
    public string Render()
    {
        var text = new StringBuilder(4096);
        lock (_scrapeGate)
        {
            foreach (var family in _families.Values)
            {
                family.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus name for an instrument: dots to underscores, unit and counter suffixes added.</summary>
    internal static string PrometheusName(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 8);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        if (instrument.Unit == "s" && !name.ToString().EndsWith("_seconds", StringComparison.Ordinal))
        {
            name.Append("_seconds");
        }

        if (IsCounter(instrument) && !name.ToString().EndsWith("_total", StringComparison.Ordinal))
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static bool IsCounter(Instrument instrument)
    {
        var type = instrument.GetType();
        return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Counter<>) || type.GetGenericTypeDefinition() == typeof(ObservableCounter<>));
    }

    private static bool IsHistogram(Instrument instrument) =>
        instrument.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Histogram<>);

    internal static string FormatValue(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string LabelKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var key = new StringBuilder();
        foreach (var (name, value) in sorted)
        {
            if (key.Length > 0)
            {
                key.Append(',');
            }

            key.Append(SanitizeLabelName(name)).Append("=\"");
            EscapeLabelValue(key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            key.Append('"');
        }

        return key.ToString();
    }

    private static string SanitizeLabelName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
            {
                chars[i] = '_';
            }
        }

        return chars.Length > 0 && char.IsAsciiDigit(chars[0]) ? "_" + new string(chars) : new string(chars);
    }

    private static void EscapeLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    private static void EscapeHelp(StringBuilder text, string help)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\n': text.Append(@"\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    private abstract class Family(Instrument instrument)
    {
        public string Name { get; } = PrometheusName(instrument);

        protected Instrument Instrument { get; } = instrument;

        public static Family For(Instrument instrument)
        {
            if (IsHistogram(instrument))
            {
                return new HistogramFamily(instrument);
            }

            var observableGauge = instrument.IsObservable && !IsCounter(instrument);
            return new ValueFamily(instrument, IsCounter(instrument) ? "counter" : "gauge", replaceOnObserve: instrument.IsObservable, clearOnObserve: observableGauge);
        }

        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

        public virtual void BeginObservation()
        {
        }

        public abstract void Write(StringBuilder text);

        protected void WriteHeader(StringBuilder text, string type)
        {
            text.Append("# HELP ").Append(Name).Append(' ');
            EscapeHelp(text, Instrument.Description ?? Instrument.Name);
            text.Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
        }

        protected static void WriteSample(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(FormatValue(value)).Append('\n');
        }
    }

    private sealed class ValueFamily(Instrument instrument, string type, bool replaceOnObserve, bool clearOnObserve) : Family(instrument)
    {
        private readonly ConcurrentDictionary<string, double[]> _series = new(StringComparer.Ordinal);

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var cell = _series.GetOrAdd(LabelKey(tags), static _ => new double[1]);
            if (replaceOnObserve)
            {
                Volatile.Write(ref cell[0], value);
                return;
            }

            double seen, next;
            do
            {
                seen = Volatile.Read(ref cell[0]);
                next = seen + value;
            }
            while (Interlocked.CompareExchange(ref cell[0], next, seen) != seen);
        }

        public override void BeginObservation()
        {
            if (clearOnObserve)
            {
                _series.Clear();
            }
        }

        public override void Write(StringBuilder text)
        {
            if (_series.IsEmpty && Instrument.IsObservable)
            {
                return;
            }

            WriteHeader(text, type);
            if (_series.IsEmpty)
            {
                WriteSample(text, Name, string.Empty, 0);
                return;
            }

            foreach (var (labels, cell) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                WriteSample(text, Name, labels, Volatile.Read(ref cell[0]));
            }
        }
    }

    private sealed class HistogramFamily : Family
    {
        private readonly double[] _bounds;
        private readonly ConcurrentDictionary<string, Buckets> _series = new(StringComparer.Ordinal);

        public HistogramFamily(Instrument instrument)
            : base(instrument)
        {
            _bounds = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray()
                ?? (instrument as Histogram<long>)?.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray()
                ?? DefaultBuckets;
        }

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var buckets = _series.GetOrAdd(LabelKey(tags), _ => new Buckets(_bounds.Length));
            var index = Array.BinarySearch(_bounds, value);
            if (index < 0)
            {
                index = ~index;
            }

            lock (buckets)
            {
                buckets.Counts[index]++;
                buckets.Sum += value;
                buckets.Count++;
            }
        }

        public override void Write(StringBuilder text)
        {
            WriteHeader(text, "histogram");
            foreach (var (labels, buckets) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                long[] counts;
                double sum;
                long count;
                lock (buckets)
                {
                    counts = (long[])buckets.Counts.Clone();
                    sum = buckets.Sum;
                    count = buckets.Count;
                }

                var prefix = labels.Length > 0 ? labels + "," : string.Empty;
                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += counts[i];
                    WriteSample(text, Name + "_bucket", prefix + "le=\"" + FormatValue(_bounds[i]) + "\"", cumulative);
                }

                WriteSample(text, Name + "_bucket", prefix + "le=\"+Inf\"", count);
                WriteSample(text, Name + "_sum", labels, sum);
                WriteSample(text, Name + "_count", labels, count);
            }
        }

        private sealed class Buckets(int bounds)
        {
            public long[] Counts { get; } = new long[bounds + 1];

            public double Sum { get; set; }

            public long Count { get; set; }
        }
    }
}
