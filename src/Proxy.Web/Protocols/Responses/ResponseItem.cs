using System.Buffers;
using System.Text;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// One output item of a Response as it is built: a message (its text), a function call (its
/// arguments) or a reasoning item (its text). Text is kept JSON-escaped, as the upstream sent it,
/// so it is copied into events and the final object without being decoded.
/// </summary>
internal sealed class ResponseItem
{
    private ArrayBufferWriter<byte>? _text;

    public ResponseItem(ResponseItemKind kind, string id, int outputIndex)
    {
        Kind = kind;
        Id = Encoding.ASCII.GetBytes(id);
        OutputIndex = outputIndex;
    }

    public ResponseItemKind Kind { get; }

    /// <summary>The item id (<c>msg_…</c>, <c>fc_…</c>, <c>rs_…</c>), ASCII.</summary>
    public byte[] Id { get; }

    public int OutputIndex { get; }

    /// <summary>A function call's <c>call_id</c>, escaped.</summary>
    public byte[] CallId { get; init; } = [];

    /// <summary>A function call's name, escaped (it may arrive after the call opened).</summary>
    public byte[] Name { get; set; } = [];

    /// <summary>The chat stream's index of this tool call.</summary>
    public int ToolIndex { get; init; } = -1;

    /// <summary>True once the item's closing events were written.</summary>
    public bool Done { get; set; }

    /// <summary>True when the answer was cut (<c>max_output_tokens</c>, a content filter) while this item was open.</summary>
    public bool Cut { get; set; }

    /// <summary>The item's status in a finished Response.</summary>
    public ReadOnlySpan<byte> FinalStatus => Done && !Cut ? "completed"u8 : "incomplete"u8;

    /// <summary>The text, arguments or reasoning so far, escaped.</summary>
    public ReadOnlySpan<byte> Text => _text is null ? default : _text.WrittenSpan;

    public void Append(ReadOnlySpan<byte> escaped)
    {
        if (escaped.IsEmpty)
        {
            return;
        }

        _text ??= new ArrayBufferWriter<byte>(Math.Max(256, escaped.Length));
        _text.Write(escaped);
    }
}
