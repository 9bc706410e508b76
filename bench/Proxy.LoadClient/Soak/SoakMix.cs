using System.Globalization;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// The soak's draw, request by request: with probability FaultRate a fault (the kinds in turn of
/// a uniform draw), else with probability CancelRate a stream the client cancels, else a clean
/// request; faulted and clean requests stream with probability StreamShare.
/// </summary>
internal sealed class SoakMix
{
    private readonly double _streamShare;
    private readonly double _faultRate;
    private readonly double _cancelRate;
    private readonly SoakKind _stream = new("stream", true, null, false);
    private readonly SoakKind _complete = new("non-streaming", false, null, false);
    private readonly SoakKind _cancel = new("stream, cancelled", true, null, true);
    private readonly SoakKind[] _faultedStreams;
    private readonly SoakKind[] _faultedCompletes;

    public SoakMix(double streamShare, double faultRate, double cancelRate, IReadOnlyList<string> faults)
    {
        if (faultRate > 0 && faults.Count == 0)
        {
            throw new ArgumentException("a fault rate above 0 needs at least one fault kind");
        }

        _streamShare = streamShare;
        _faultRate = faultRate;
        _cancelRate = cancelRate;
        _faultedStreams = faults.Select(f => new SoakKind("stream, fault " + f, true, ScenarioFault(f), false)).ToArray();
        _faultedCompletes = faults.Select(f => new SoakKind("non-streaming, fault " + f, false, ScenarioFault(f), false)).ToArray();
    }

    /// <summary>Every kind the mix can draw.</summary>
    public IEnumerable<SoakKind> Kinds => new[] { _stream, _complete, _cancel }.Concat(_faultedStreams).Concat(_faultedCompletes);

    /// <summary>One line for the report.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{_faultRate:0.##%} faulted ({string.Join(", ", _faultedStreams.Select(k => k.Fault))}), " +
        $"{(1 - _faultRate) * _cancelRate:0.##%} streams cancelled by the client, the rest clean; {_streamShare:0.##%} of faulted and clean requests stream");

    public SoakKind Next(Random random)
    {
        if (random.NextDouble() < _faultRate)
        {
            var stream = random.NextDouble() < _streamShare;
            var kinds = stream ? _faultedStreams : _faultedCompletes;
            return kinds[random.Next(kinds.Length)];
        }

        if (random.NextDouble() < _cancelRate)
        {
            return _cancel;
        }

        return random.NextDouble() < _streamShare ? _stream : _complete;
    }

    /// <summary>A fault name from the command line as the emulator's <c>fault=</c> value: a mid-stream reset
    /// comes after the fourth event (the stream has started; the client has text).</summary>
    public static string ScenarioFault(string fault) => fault == "reset_mid" ? "reset_mid:4" : fault;

    /// <summary>True for the fault names the soak takes: reset_mid, reset_before, or a 4xx/5xx status.</summary>
    public static bool IsKnownFault(string fault) =>
        fault is "reset_mid" or "reset_before"
        || (int.TryParse(fault, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 400 and <= 599);
}
