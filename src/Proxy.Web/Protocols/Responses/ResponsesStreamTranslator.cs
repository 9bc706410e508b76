using System.Buffers;
using System.Text;
using System.Text.Json;
using Proxy.Actors.Resilience;
using Proxy.Actors.Streaming;

namespace Proxy.Web.Protocols.Responses;

/// <summary>
/// The repaired chat stream as Responses API events, each with its <c>event:</c> line and an
/// increasing <c>sequence_number</c>: <c>response.created</c> and <c>response.in_progress</c> first;
/// per item <c>response.output_item.added</c>, its deltas (<c>response.output_text.delta</c> after
/// <c>response.content_part.added</c>, <c>response.function_call_arguments.delta</c>,
/// <c>response.reasoning_text.delta</c> for Qwen's <c>reasoning_content</c>) and its closing events
/// (<c>….done</c>, <c>response.content_part.done</c>, <c>response.output_item.done</c>); then
/// <c>response.completed</c> with usage (<c>response.incomplete</c> when the answer was cut by
/// <c>max_output_tokens</c> or a content filter), or <c>response.failed</c> when the stream failed,
/// including an upstream error event. An item closes when an item of another kind, or another tool
/// call, begins (chat streams send tool calls one index after another), or at the end.
/// Text is copied as the upstream escaped it; nothing is allocated per event beyond the growth of
/// each item's text.
/// </summary>
internal sealed class ResponsesStreamTranslator(ResponseDraft draft, IResponseIds ids, TimeProvider time) : IStreamTranslator
{
    private long _sequence;
    private bool _started;
    private bool _ended;
    private ResponseItem? _open;

    public void WriteEvent(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        if (!ChatJson.TryScanTop(chunk, out var top))
        {
            // The stream actor passes only chunks that parsed; a broken one carries nothing to translate.
            return;
        }

        var (model, choices, usage, error) = (top.Model, top.Choices, top.Usage, top.Error);

        if (draft.UpstreamModel is null && ChatJson.StringBody(chunk, model) is { IsEmpty: false } name)
        {
            draft.UpstreamModel = name.ToArray();
        }

        Start(output);
        if (ChatJson.Has(error))
        {
            Fail(output, "server_error", ChatJson.ErrorMessage(chunk, error));
            return;
        }

        if (ChatJson.Has(choices))
        {
            Choices(chunk, choices, output);
        }

        if (ChatJson.Has(usage))
        {
            ChatJson.ReadUsage(chunk, usage, ref draft.Usage);
        }
    }

    public void WriteDone(IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        Start(output);
        CloseOpen(output);
        _ended = true;
        var completed = draft.CutReason is null;
        var type = completed ? "response.completed"u8 : "response.incomplete"u8;
        Open(output, type);
        Utf8Output.Write(output, ",\"response\":"u8);
        draft.WriteObject(output, draft.FinalStatus, completed ? time.GetUtcNow().ToUnixTimeSeconds() : null);
        Close(output);
    }

    public void WriteError(FailureKind kind, string message, string? code, IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        Start(output);
        Fail(output, kind is FailureKind.RateLimited or FailureKind.QuotaExhausted ? "rate_limit_exceeded" : "server_error", message);
    }

    private void Start(IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        Open(output, "response.created"u8);
        Utf8Output.Write(output, ",\"response\":"u8);
        draft.WriteObject(output, "in_progress"u8, completedAt: null);
        Close(output);
        Open(output, "response.in_progress"u8);
        Utf8Output.Write(output, ",\"response\":"u8);
        draft.WriteObject(output, "in_progress"u8, completedAt: null);
        Close(output);
    }

    private void Fail(IBufferWriter<byte> output, string code, string message)
    {
        _ended = true;
        Open(output, "response.failed"u8);
        Utf8Output.Write(output, ",\"response\":"u8);
        draft.WriteObject(output, "failed"u8, completedAt: null, code, message);
        Close(output);
    }

    private void Choices(ReadOnlySpan<byte> chunk, Range choices, IBufferWriter<byte> output)
    {
        var json = chunk[choices];
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return; // no choices (the usage chunk) or not an array
        }

        // Only the first choice: a Response has one answer.
        Range delta = default, finish = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8))
            {
                delta = ChatJson.Value(ref reader, out _);
            }
            else if (reader.ValueTextEquals("finish_reason"u8))
            {
                finish = ChatJson.Value(ref reader, out _);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (ChatJson.Has(delta))
        {
            Delta(json[delta], output);
        }

        if (ChatJson.StringBody(json, finish) is { IsEmpty: false } reason)
        {
            draft.Finish(reason);
        }
    }

    private void Delta(ReadOnlySpan<byte> delta, IBufferWriter<byte> output)
    {
        var parts = ChatJson.ReadMessage(delta);
        if (ChatJson.StringBody(delta, parts.Reasoning) is { IsEmpty: false } thought)
        {
            Reasoning(thought, output);
        }

        if (ChatJson.StringBody(delta, parts.Content) is { IsEmpty: false } text)
        {
            Text(text, output);
        }

        if (ChatJson.Has(parts.ToolCalls))
        {
            ToolCalls(delta[parts.ToolCalls], output);
        }
    }

    private void Reasoning(ReadOnlySpan<byte> text, IBufferWriter<byte> output) =>
        TextDelta(ResponseItemKind.Reasoning, "response.reasoning_text.delta"u8, text, logprobs: false, output);

    private void Text(ReadOnlySpan<byte> text, IBufferWriter<byte> output) =>
        TextDelta(ResponseItemKind.Message, "response.output_text.delta"u8, text, logprobs: true, output);

    /// <summary>Text added to the current item of <paramref name="kind"/> (opened when needed), and its delta event.</summary>
    private void TextDelta(ResponseItemKind kind, ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> text, bool logprobs, IBufferWriter<byte> output)
    {
        var item = Current(kind, output);
        item.Append(text);
        Open(output, eventType);
        ItemRef(output, item);
        Utf8Output.Write(output, ",\"content_index\":0,\"delta\":"u8);
        Utf8Output.WriteQuoted(output, text);
        if (logprobs)
        {
            Utf8Output.Write(output, ",\"logprobs\":[]"u8);
        }

        Close(output);
    }

    private void ToolCalls(ReadOnlySpan<byte> calls, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(calls);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            return;
        }

        var position = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var call = ChatToolCall.Read(ref reader);
            var index = call.Index is >= 0 and <= int.MaxValue ? (int)call.Index : position;
            position++;
            ToolCall(index, call.Id, call.Name, call.Arguments, output);
        }
    }

    private void ToolCall(int index, ReadOnlySpan<byte> callId, ReadOnlySpan<byte> name, ReadOnlySpan<byte> arguments, IBufferWriter<byte> output)
    {
        var item = FindCall(index);
        if (item is null)
        {
            CloseOpen(output);
            item = new ResponseItem(ResponseItemKind.FunctionCall, ids.Next("fc_"), draft.Items.Count)
            {
                CallId = callId.IsEmpty ? Encoding.ASCII.GetBytes(ids.Next("call_")) : callId.ToArray(),
                Name = name.ToArray(),
                ToolIndex = index,
            };
            Begin(item, output);
        }
        else if (item.Name.Length == 0 && !name.IsEmpty)
        {
            item.Name = name.ToArray();
        }

        if (arguments.IsEmpty)
        {
            return;
        }

        item.Append(arguments);
        if (item.Done)
        {
            return; // a late piece of a call already closed: kept in the final output, no event after its done
        }

        Open(output, "response.function_call_arguments.delta"u8);
        ItemRef(output, item);
        Utf8Output.Write(output, ",\"delta\":"u8);
        Utf8Output.WriteQuoted(output, arguments);
        Close(output);
    }

    private ResponseItem? FindCall(int index)
    {
        for (var i = draft.Items.Count - 1; i >= 0; i--)
        {
            var item = draft.Items[i];
            if (item.Kind == ResponseItemKind.FunctionCall && item.ToolIndex == index)
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>Adds <paramref name="item"/> to the answer as the open item and tells the client (<c>response.output_item.added</c>).</summary>
    private void Begin(ResponseItem item, IBufferWriter<byte> output)
    {
        draft.Items.Add(item);
        _open = item;
        Open(output, "response.output_item.added"u8);
        Utf8Output.Write(output, ",\"output_index\":"u8);
        Utf8Output.WriteNumber(output, item.OutputIndex);
        Utf8Output.Write(output, ",\"item\":"u8);
        ResponseDraft.WriteItem(output, item, "in_progress"u8);
        Close(output);
    }

    /// <summary>The open item of <paramref name="kind"/>, opening one (and closing another) when needed.</summary>
    private ResponseItem Current(ResponseItemKind kind, IBufferWriter<byte> output)
    {
        if (_open is { } open && open.Kind == kind)
        {
            return open;
        }

        CloseOpen(output);
        var item = new ResponseItem(kind, ids.Next(kind == ResponseItemKind.Message ? "msg_" : "rs_"), draft.Items.Count);
        Begin(item, output);
        if (kind == ResponseItemKind.Message)
        {
            Open(output, "response.content_part.added"u8);
            ItemRef(output, item);
            Utf8Output.Write(output, ",\"content_index\":0,\"part\":"u8);
            ResponseDraft.WriteTextPart(output, default);
            Close(output);
        }

        return item;
    }

    private void CloseOpen(IBufferWriter<byte> output)
    {
        if (_open is not { } item)
        {
            return;
        }

        _open = null;
        item.Done = true;
        item.Cut = draft.CutReason is not null;
        switch (item.Kind)
        {
            case ResponseItemKind.Message:
                Open(output, "response.output_text.done"u8);
                ItemRef(output, item);
                Utf8Output.Write(output, ",\"content_index\":0,\"text\":"u8);
                Utf8Output.WriteQuoted(output, item.Text);
                Utf8Output.Write(output, ",\"logprobs\":[]"u8);
                Close(output);
                Open(output, "response.content_part.done"u8);
                ItemRef(output, item);
                Utf8Output.Write(output, ",\"content_index\":0,\"part\":"u8);
                ResponseDraft.WriteTextPart(output, item.Text);
                Close(output);
                break;
            case ResponseItemKind.FunctionCall:
                Open(output, "response.function_call_arguments.done"u8);
                ItemRef(output, item);
                Utf8Output.Write(output, ",\"name\":"u8);
                Utf8Output.WriteQuoted(output, item.Name);
                Utf8Output.Write(output, ",\"arguments\":"u8);
                Utf8Output.WriteQuoted(output, item.Text);
                Close(output);
                break;
            default:
                Open(output, "response.reasoning_text.done"u8);
                ItemRef(output, item);
                Utf8Output.Write(output, ",\"content_index\":0,\"text\":"u8);
                Utf8Output.WriteQuoted(output, item.Text);
                Close(output);
                break;
        }

        Open(output, "response.output_item.done"u8);
        Utf8Output.Write(output, ",\"output_index\":"u8);
        Utf8Output.WriteNumber(output, item.OutputIndex);
        Utf8Output.Write(output, ",\"item\":"u8);
        ResponseDraft.WriteItem(output, item, item.FinalStatus);
        Close(output);
    }

    private static void ItemRef(IBufferWriter<byte> output, ResponseItem item)
    {
        Utf8Output.Write(output, ",\"item_id\":"u8);
        Utf8Output.WriteQuoted(output, item.Id);
        Utf8Output.Write(output, ",\"output_index\":"u8);
        Utf8Output.WriteNumber(output, item.OutputIndex);
    }

    /// <summary><c>event: {type}\ndata: {"type":"{type}"</c>: the object stays open for the event's members.</summary>
    private static void Open(IBufferWriter<byte> output, ReadOnlySpan<byte> type)
    {
        Utf8Output.Write(output, "event: "u8);
        Utf8Output.Write(output, type);
        Utf8Output.Write(output, "\ndata: {\"type\":\""u8);
        Utf8Output.Write(output, type);
        Utf8Output.Write(output, "\""u8);
    }

    /// <summary>The sequence number, the end of the object and of the event.</summary>
    private void Close(IBufferWriter<byte> output)
    {
        Utf8Output.Write(output, ",\"sequence_number\":"u8);
        Utf8Output.WriteNumber(output, _sequence++);
        Utf8Output.Write(output, "}\n\n"u8);
    }
}
