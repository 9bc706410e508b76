namespace Proxy.Actors.Streaming;

/// <summary>
/// Repairs "stuttering" streams, where content events are cumulative snapshots of the text instead
/// of deltas ("Hello", "Hello world", then deltas; or snapshots all the way, or an event sent twice).
/// Pure: events in, events out through an <see cref="IEventSink"/>, time passed in, no I/O.
/// <para>
/// At the start of a stream (<see cref="RepairMode.Watching"/>) each content value is compared with
/// the text sent so far. A value that does not start with it is a delta and goes out untouched.
/// One that does is evidence of snapshots, weighed by <see cref="StutterEvidence"/>: strong evidence
/// confirms them at once, and from then on every snapshot is cut to the text it adds, with no holding
/// (<see cref="RepairMode.Cumulative"/>). Weak evidence ("=" then "==") holds the event until the
/// next one decides, a boundary event arrives, the hold grows past <see cref="RepairOptions.BufferSize"/>
/// bytes or <see cref="RepairOptions.MaxHoldTime"/>; unconfirmed held events go out unchanged.
/// The first content event is never held, so time to first token is untouched.
/// </para>
/// A clean stream therefore reaches the client byte for byte; non-content events keep their order.
/// </summary>
internal sealed class StutterRepair
{
    private readonly RepairOptions _options;

    private readonly PooledBuffer _text = new();        // text sent so far (unescaped UTF-8)
    private readonly PooledBuffer _heldPayloads = new();
    private readonly PooledBuffer _heldText = new();    // unescaped content of held events
    private readonly PooledBuffer _unescaped = new();   // content of the current event when escaped
    private readonly PooledBuffer _rewrite = new();     // a rewritten payload
    private readonly PooledBuffer _chain = new();       // last snapshot let out by age or size, unconfirmed
    private HeldEvent[] _held = [];
    private int _heldCount;
    private int _lastHeldWithText = -1;
    private TimeSpan _holdDeadline;
    private TimeSpan _lastContentAt = TimeSpan.MinValue;
    private double _score;
    private int _contentEvents;

    public StutterRepair(RepairOptions? options = null)
    {
        _options = options ?? RepairOptions.Default;
    }

    public RepairMode Mode { get; private set; } = RepairMode.Watching;

    /// <summary>Why the mode last changed (a constant string, for the log).</summary>
    public string LastReason { get; private set; } = "start";

    /// <summary>Events whose content was rewritten.</summary>
    public int Repairs { get; private set; }

    /// <summary>Times held events had to go out unconfirmed because of their age or size.</summary>
    public int ForcedReleases { get; private set; }

    /// <summary>Events currently held back.</summary>
    public int HeldEvents => _heldCount;

    /// <summary>Bytes currently held back.</summary>
    public int HeldBytes => _heldPayloads.Length;

    /// <summary>When held events must go out by age; null when nothing is held.</summary>
    public TimeSpan? HoldDeadline => _heldCount > 0 ? _holdDeadline : null;

    /// <summary>Bytes of pooled memory the repair currently keeps (0 once it passes events through).</summary>
    public int RetainedBytes =>
        _text.Capacity + _heldPayloads.Capacity + _heldText.Capacity + _unescaped.Capacity + _rewrite.Capacity + _chain.Capacity;

    /// <summary>Takes one event payload; writes zero or more payloads to <paramref name="sink"/>.</summary>
    public void Process(ReadOnlySpan<byte> payload, in ChunkInfo info, TimeSpan now, IEventSink sink)
    {
        if (Mode is RepairMode.PassThrough or RepairMode.Disabled)
        {
            sink.WriteEvent(payload);
            return;
        }

        if ((info.Flags & ChunkFlags.OtherChoice) != 0)
        {
            FlushHeld(sink);
            Finish(RepairMode.Disabled, "several choices");
            ReleaseBuffers();
            sink.WriteEvent(payload);
            return;
        }

        if (_heldCount > 0 && now >= _holdDeadline)
        {
            FlushHeld(sink, keepChain: true);
        }

        if (!info.HasText)
        {
            if (_heldCount > 0)
            {
                if (!info.IsBoundary)
                {
                    // Not content: it keeps its place behind what is held.
                    Hold(payload, info, default, hasText: false);
                    if (_heldPayloads.Length >= _options.BufferSize)
                    {
                        FlushHeld(sink, keepChain: true);
                        ReleaseIfPassedThrough();
                    }

                    return;
                }

                FlushHeld(sink);
            }

            sink.WriteEvent(payload);
            ReleaseIfPassedThrough();
            return;
        }

        var content = Unescape(payload, info);
        if (Mode == RepairMode.Cumulative)
        {
            ProcessSnapshot(payload, info, content, sink);
        }
        else
        {
            ProcessWatching(payload, info, content, now, sink);
        }

        _lastContentAt = now;
        ReleaseIfPassedThrough();
    }

    /// <summary>Lets held events go out once they reach <see cref="RepairOptions.MaxHoldTime"/>.</summary>
    public void Tick(TimeSpan now, IEventSink sink)
    {
        if (_heldCount > 0 && now >= _holdDeadline)
        {
            FlushHeld(sink, keepChain: true);
            ReleaseIfPassedThrough();
        }
    }

    /// <summary>The stream ended (with or without [DONE]): everything held goes out, buffers are released.</summary>
    public void Complete(IEventSink sink)
    {
        FlushHeld(sink);
        if (Mode is RepairMode.Watching or RepairMode.Cumulative)
        {
            Finish(RepairMode.PassThrough, "stream ended");
        }

        ReleaseBuffers();
    }

    private void ProcessWatching(ReadOnlySpan<byte> payload, in ChunkInfo info, ReadOnlySpan<byte> content, TimeSpan now, IEventSink sink)
    {
        var reference = _lastHeldWithText >= 0 ? HeldText(_held[_lastHeldWithText]) : _text.WrittenSpan;
        if (reference.Length > 0 && content.StartsWith(reference))
        {
            var gap = _lastContentAt == TimeSpan.MinValue ? TimeSpan.MaxValue : now - _lastContentAt;
            _score = Math.Max(_score, StutterEvidence.StepScore(reference, content, gap, firstRepeat: _heldCount == 0 && _contentEvents == 1, _options));
            if (_score >= _options.ConfirmScore)
            {
                ConfirmSnapshots(payload, info, content, sink);
                return;
            }

            if (info.IsBoundary)
            {
                // Nothing more will come to decide on: the doubt goes to the clean reading.
                FlushHeld(sink);
                SendClean(payload, content, sink);
                return;
            }

            if (_heldCount == 0)
            {
                _holdDeadline = now + _options.MaxHoldTime;
            }

            Hold(payload, info, content, hasText: true);
            if (_heldPayloads.Length >= _options.BufferSize)
            {
                FlushHeld(sink, keepChain: true);
            }

            return;
        }

        if (_chain.Length > 0 && _heldCount == 0 && content.StartsWith(_chain.WrittenSpan))
        {
            if (StutterEvidence.Information(_chain.WrittenSpan) >= _options.ConfirmScore)
            {
                // Snapshots went on after a hold ran out: what went out cannot be taken back, but
                // from here on only new text is sent.
                SendRewritten(payload, info, content, _chain.Length, sink);
                _text.Set(content);
                _chain.Clear();
                Mode = RepairMode.Cumulative;
                LastReason = "content events are cumulative snapshots (after a hold ran out)";
                return;
            }

            // Still too weak: goes out as it is, and the chain follows it.
            SendClean(payload, content, sink);
            _chain.Set(content);
            return;
        }

        FlushHeld(sink);
        SendClean(payload, content, sink);
    }

    private void ProcessSnapshot(ReadOnlySpan<byte> payload, in ChunkInfo info, ReadOnlySpan<byte> content, IEventSink sink)
    {
        var text = _text.WrittenSpan;
        if (content.StartsWith(text))
        {
            SendRewritten(payload, info, content, text.Length, sink);
            _text.Set(content);
            return;
        }

        if (StutterEvidence.TryAlignRevision(text, content, out var end))
        {
            // A snapshot that changed a few bytes of what was already sent: send only what is new.
            SendRewritten(payload, info, content, end, sink);
            _text.Set(content);
            return;
        }

        Finish(RepairMode.PassThrough, "deltas resumed after snapshots");
        sink.WriteEvent(payload);
    }

    private void ConfirmSnapshots(ReadOnlySpan<byte> payload, in ChunkInfo info, ReadOnlySpan<byte> content, IEventSink sink)
    {
        var previousLength = _text.Length;
        for (var i = 0; i < _heldCount; i++)
        {
            ref readonly var held = ref _held[i];
            var heldPayload = _heldPayloads.Slice(held.PayloadStart, held.PayloadLength);
            if (held.HasText)
            {
                SendRewritten(heldPayload, held.Info, HeldText(held), previousLength, sink);
                previousLength = held.TextLength;
            }
            else
            {
                sink.WriteEvent(heldPayload);
            }
        }

        SendRewritten(payload, info, content, previousLength, sink);
        _text.Set(content);
        ClearHeld();
        Mode = RepairMode.Cumulative;
        LastReason = "content events are cumulative snapshots";
    }

    private void SendClean(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> content, IEventSink sink)
    {
        sink.WriteEvent(payload);
        if (Mode == RepairMode.Watching)
        {
            _text.Append(content);
            _contentEvents++;
            EndWatchIfDone();
        }
    }

    private void SendRewritten(ReadOnlySpan<byte> payload, in ChunkInfo info, ReadOnlySpan<byte> content, int cut, IEventSink sink)
    {
        var raw = info.RawContent(payload);
        _rewrite.Clear();
        _rewrite.Append(payload[..info.ContentStart]);
        if (!info.ContentEscaped)
        {
            _rewrite.Append(raw[cut..]);
        }
        else if (JsonString.TryMapOffset(raw, cut, out var rawCut))
        {
            _rewrite.Append(raw[rawCut..]);
        }
        else
        {
            JsonString.WriteEscaped(content[cut..], _rewrite);
        }

        _rewrite.Append(payload[(info.ContentStart + info.ContentLength)..]);
        sink.WriteEvent(_rewrite.WrittenSpan);
        Repairs++;
    }

    private void Hold(ReadOnlySpan<byte> payload, in ChunkInfo info, ReadOnlySpan<byte> content, bool hasText)
    {
        if (_heldCount == _held.Length)
        {
            Array.Resize(ref _held, Math.Max(4, _held.Length * 2));
        }

        _held[_heldCount] = new HeldEvent(info, _heldPayloads.Length, payload.Length, _heldText.Length, content.Length, hasText);
        if (hasText)
        {
            _lastHeldWithText = _heldCount;
        }

        _heldCount++;
        _heldPayloads.Append(payload);
        _heldText.Append(content);
    }

    /// <summary>
    /// The held events go out unchanged (the clean reading) and their text joins the text sent.
    /// <paramref name="keepChain"/>: they go out only because of their age or size, so the last held
    /// snapshot is remembered in case the next content extends it.
    /// </summary>
    private void FlushHeld(IEventSink sink, bool keepChain = false)
    {
        _chain.Clear();
        if (_heldCount == 0)
        {
            return;
        }

        if (keepChain)
        {
            ForcedReleases++;
            if (_lastHeldWithText >= 0)
            {
                _chain.Set(HeldText(_held[_lastHeldWithText]));
            }
        }

        for (var i = 0; i < _heldCount; i++)
        {
            ref readonly var held = ref _held[i];
            sink.WriteEvent(_heldPayloads.Slice(held.PayloadStart, held.PayloadLength));
            if (held.HasText)
            {
                _text.Append(HeldText(held));
                _contentEvents++;
            }
        }

        ClearHeld();
        EndWatchIfDone();
    }

    private void ClearHeld()
    {
        _heldCount = 0;
        _lastHeldWithText = -1;
        _heldPayloads.Clear();
        _heldText.Clear();
        _score = 0;
    }

    private void EndWatchIfDone()
    {
        if (Mode == RepairMode.Watching && (_contentEvents >= _options.WatchEvents || _text.Length >= _options.WatchBytes))
        {
            Finish(RepairMode.PassThrough, "start of stream passed clean");
        }
    }

    /// <summary>Leaves the watching modes; buffers are released by the caller once the event is done.</summary>
    private void Finish(RepairMode mode, string reason)
    {
        Mode = mode;
        LastReason = reason;
    }

    private void ReleaseIfPassedThrough()
    {
        if (Mode == RepairMode.PassThrough)
        {
            ReleaseBuffers();
        }
    }

    private void ReleaseBuffers()
    {
        if (_heldCount > 0)
        {
            return;
        }

        _text.Release();
        _heldPayloads.Release();
        _heldText.Release();
        _unescaped.Release();
        _rewrite.Release();
        _chain.Release();
        _held = [];
    }

    private ReadOnlySpan<byte> HeldText(in HeldEvent held) => _heldText.Slice(held.TextStart, held.TextLength);

    private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> payload, in ChunkInfo info)
    {
        var raw = info.RawContent(payload);
        if (!info.ContentEscaped)
        {
            return raw;
        }

        _unescaped.Clear();
        var written = JsonString.Unescape(raw, _unescaped.GetSpan(raw.Length));
        _unescaped.Advance(written);
        return _unescaped.WrittenSpan;
    }

    private readonly record struct HeldEvent(ChunkInfo Info, int PayloadStart, int PayloadLength, int TextStart, int TextLength, bool HasText);
}
